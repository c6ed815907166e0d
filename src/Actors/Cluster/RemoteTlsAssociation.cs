using System.Buffers;
using System.Buffers.Binary;
using System.Net.Security;
using System.Threading.Channels;
using Akka.Actor;
using Akka.Event;
using Akka.Remote.Transport;
using Google.Protobuf;

namespace Forge.Cluster;

/// <summary>
/// One authenticated TLS connection carrying an Akka.Remote association. Frames as Akka's DotNetty transport does: a
/// 4-byte payload length (the configured byte order) and the payload, so either transport can sit at either end.
/// Writes are queued and written by one loop (batched into one TLS write while more are queued); past the outbox limit a
/// write is refused, so Akka's endpoint writer buffers and retries instead of this queue growing without bound while a
/// peer does not read; reads start once
/// Akka registers its listener. Any read or write failure, or the peer closing, ends the association with
/// <see cref="Disassociated"/>: never more than that.
/// </summary>
internal sealed class RemoteTlsAssociation : AssociationHandle
{
    private const int BatchBytes = 64 * 1024;
    private static readonly TimeSpan CloseWait = TimeSpan.FromSeconds(2);

    private readonly SslStream _ssl;
    private readonly RemoteTlsTransportSettings _settings;
    private readonly ILoggingAdapter _log;
    private readonly Action<RemoteTlsAssociation> _closed;
    private readonly Channel<ByteString> _outbox =
        Channel.CreateUnbounded<ByteString>(new UnboundedChannelOptions { SingleReader = true });
    private readonly TaskCompletionSource _readEnded = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _closing = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _isClosed;
    private long _queuedBytes;

    public RemoteTlsAssociation(Address local, Address remote, SslStream ssl, RemoteTlsTransportSettings settings,
        ILoggingAdapter log, Action<RemoteTlsAssociation> closed) : base(local, remote)
    {
        _ssl = ssl;
        _settings = settings;
        _log = log;
        _closed = closed;
        _ = WriteLoop();
        _ = ReadLoop();
    }

    public override bool Write(ByteString payload)
    {
        if (Volatile.Read(ref _isClosed) != 0 || Interlocked.Read(ref _queuedBytes) >= _settings.OutboxLimit) return false;
        Interlocked.Add(ref _queuedBytes, payload.Length);
        if (_outbox.Writer.TryWrite(payload)) return true;
        Interlocked.Add(ref _queuedBytes, -payload.Length);
        return false;
    }

    /// <summary>Bytes written by Akka and not yet handed to TLS.</summary>
    internal long QueuedBytes => Interlocked.Read(ref _queuedBytes);

    /// <summary>Graceful: what was queued is written, then TLS close_notify, then the connection closes.</summary>
    [Obsolete("Akka's obsolete overload; Disassociate(reason, log) calls it")]
    public override void Disassociate() => _outbox.Writer.TryComplete();

    /// <summary>Closes at once (transport shutdown). Idempotent.</summary>
    public void Abort() => Close();

    private async Task WriteLoop()
    {
        var pending = new ArrayBufferWriter<byte>(BatchBytes);
        try
        {
            var reader = _outbox.Reader;
            while (await reader.WaitToReadAsync().ConfigureAwait(false))
            {
                var taken = 0L;
                while (pending.WrittenCount < BatchBytes && reader.TryRead(out var payload))
                {
                    Frame(pending, payload);
                    taken += payload.Length;
                }
                await _ssl.WriteAsync(pending.WrittenMemory).ConfigureAwait(false);
                Interlocked.Add(ref _queuedBytes, -taken);
                pending.ResetWrittenCount();
            }
            await _ssl.ShutdownAsync().ConfigureAwait(false);
            await _readEnded.Task.WaitAsync(CloseWait).ConfigureAwait(false);
        }
        catch (Exception e) when (Volatile.Read(ref _isClosed) == 0)
        {
            if (e is not TimeoutException) _log.Debug("Remote TLS: write to {0} ended: {1}", RemoteAddress, e.Message);
        }
        catch
        {
            // closed under us: the read side or a shutdown already reported it
        }
        Close();
    }

    private void Frame(ArrayBufferWriter<byte> into, ByteString payload)
    {
        var header = into.GetSpan(4);
        if (_settings.LittleEndian) BinaryPrimitives.WriteInt32LittleEndian(header, payload.Length);
        else BinaryPrimitives.WriteInt32BigEndian(header, payload.Length);
        into.Advance(4);
        payload.Span.CopyTo(into.GetSpan(payload.Length));
        into.Advance(payload.Length);
    }

    private async Task ReadLoop()
    {
        try
        {
            // Akka registers its listener once the association is set up; until then the socket is not read.
            if (await Task.WhenAny(ReadHandlerSource.Task, _closing.Task).ConfigureAwait(false) != ReadHandlerSource.Task) return;
            var listener = ReadHandlerSource.Task.Result;
            var header = new byte[4];
            while (await Fill(header).ConfigureAwait(false))
            {
                var length = _settings.LittleEndian ? BinaryPrimitives.ReadInt32LittleEndian(header) : BinaryPrimitives.ReadInt32BigEndian(header);
                if (length < 0 || length > _settings.MaxFrameSize)
                {
                    _log.Warning("Remote TLS: {0} sent a frame of {1} bytes (maximum-frame-size {2}); closing", RemoteAddress, length, _settings.MaxFrameSize);
                    break;
                }
                if (length == 0) continue;
                var payload = new byte[length];
                if (!await Fill(payload).ConfigureAwait(false)) break;
                listener.Notify(new InboundPayload(UnsafeByteOperations.UnsafeWrap(payload)));
            }
        }
        catch (Exception e) when (Volatile.Read(ref _isClosed) == 0)
        {
            _log.Debug("Remote TLS: read from {0} ended: {1}", RemoteAddress, e.Message);
        }
        catch
        {
            // closed under us
        }
        finally
        {
            _readEnded.TrySetResult();
            Close();
        }
    }

    /// <summary>Fills <paramref name="buffer"/>; false at end of stream.</summary>
    private async Task<bool> Fill(byte[] buffer) =>
        await _ssl.ReadAtLeastAsync(buffer, buffer.Length, throwOnEndOfStream: false).ConfigureAwait(false) == buffer.Length;

    private void Close()
    {
        if (Interlocked.Exchange(ref _isClosed, 1) == 1) return;
        _outbox.Writer.TryComplete();
        _closing.TrySetResult();
        _ssl.Dispose(); // owns the NetworkStream, which owns the socket
        // Akka learns of the end now, or as soon as it registers its listener.
        ReadHandlerSource.Task.ContinueWith(t => t.Result.Notify(new Disassociated(DisassociateInfo.Unknown)),
            CancellationToken.None, TaskContinuationOptions.OnlyOnRanToCompletion, TaskScheduler.Default);
        _closed(this);
    }
}
