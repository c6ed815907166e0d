using System.Threading.Channels;
using Forge.Protocol;

namespace Forge.Transport;

/// <summary>
/// One established, authenticated link: a reader that hands each agent-protocol message on, a single writer draining a
/// bounded queue (frames never interleave), and a keep-alive that pings and closes the link when the peer goes silent.
/// Pings are answered here and never reach the handler. Any bad frame closes the link.
/// </summary>
public sealed class FramedConnection : IAsyncDisposable
{
    private readonly Stream _stream;
    private readonly LinkSettings _settings;
    private readonly Channel<IAgentProtocolMessage> _outbound;
    private readonly CancellationTokenSource _closed = new();
    private long _lastReceivedMs = Environment.TickCount64;
    private long _pingNonce;
    private string? _closeReason;

    public FramedConnection(Stream stream, LinkSettings settings)
    {
        _stream = stream;
        _settings = settings;
        _outbound = Channel.CreateBounded<IAgentProtocolMessage>(new BoundedChannelOptions(settings.OutboundCapacity)
        {
            SingleReader = true,
            FullMode = BoundedChannelFullMode.Wait,
        });
    }

    public bool IsClosed => _closed.IsCancellationRequested;

    /// <summary>Queues a message; false when the link is closed or its queue is full (then it is closed).</summary>
    public bool Send(IAgentProtocolMessage message)
    {
        if (IsClosed) return false;
        if (_outbound.Writer.TryWrite(message)) return true;
        Close("outbound queue full: the peer is not reading");
        return false;
    }

    public void Close(string reason)
    {
        Interlocked.CompareExchange(ref _closeReason, reason, null);
        _outbound.Writer.TryComplete();
        try
        {
            _closed.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // already disposed: nothing left to stop
        }
    }

    /// <summary>Runs until the link closes; returns why it closed.</summary>
    public async Task<string> RunAsync(Action<IAgentProtocolMessage> onMessage, CancellationToken ct)
    {
        using var reg = ct.Register(() => Close("shutting down"));
        var tasks = new[] { ReadLoopAsync(onMessage), WriteLoopAsync(), KeepAliveLoopAsync() };
        await Task.WhenAny(tasks);
        Close("link ended");
        _stream.Dispose(); // unblocks a read that does not observe cancellation
        try
        {
            await Task.WhenAll(tasks);
        }
        catch (Exception)
        {
            // each loop already recorded its reason through Close
        }
        return _closeReason ?? "closed";
    }

    private async Task ReadLoopAsync(Action<IAgentProtocolMessage> onMessage)
    {
        try
        {
            while (!IsClosed)
            {
                var message = await WireFrames.ReadAsync(_stream, _closed.Token);
                if (message is null)
                {
                    Close("peer closed the connection");
                    return;
                }
                Interlocked.Exchange(ref _lastReceivedMs, Environment.TickCount64);
                switch (message)
                {
                    case Ping ping:
                        Send(new Pong(ping.Nonce));
                        break;
                    case Pong:
                        break;
                    case IAgentProtocolMessage m:
                        onMessage(m);
                        break;
                    default:
                        throw new WireFormatException($"{message.GetType().Name} is not an agent protocol message");
                }
            }
        }
        catch (WireFormatException e)
        {
            Close($"bad frame: {e.Message}");
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException or OperationCanceledException)
        {
            Close(IsClosed ? "closed" : $"read failed: {e.Message}");
        }
    }

    private async Task WriteLoopAsync()
    {
        try
        {
            await foreach (var message in _outbound.Reader.ReadAllAsync(_closed.Token))
                await WireFrames.WriteAsync(_stream, message, _closed.Token);
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException or OperationCanceledException or WireFormatException)
        {
            Close(IsClosed ? "closed" : $"write failed: {e.Message}");
        }
    }

    private async Task KeepAliveLoopAsync()
    {
        using var timer = new PeriodicTimer(_settings.PingInterval);
        try
        {
            while (await timer.WaitForNextTickAsync(_closed.Token))
            {
                var silentMs = Environment.TickCount64 - Interlocked.Read(ref _lastReceivedMs);
                if (silentMs > _settings.DeadLinkTimeout.TotalMilliseconds)
                {
                    Close($"dead link: nothing received for {silentMs} ms");
                    return;
                }
                Send(new Ping(Interlocked.Increment(ref _pingNonce)));
            }
        }
        catch (OperationCanceledException)
        {
            // closed
        }
    }

    public async ValueTask DisposeAsync()
    {
        Close("disposed");
        await _stream.DisposeAsync();
        _closed.Dispose();
    }
}
