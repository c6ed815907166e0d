using System.Globalization;
using System.Net.Sockets;
using System.Runtime.CompilerServices;
using System.Text;
using Forge.NodeAgent.Core;

namespace Forge.NodeAgent.Fence;

/// <summary>
/// Client of the fence's Unix-socket control protocol: one request connection (one line out, one line back, in
/// order, each bounded by the timeout; any failure drops the connection so the next call starts clean) and a separate
/// WATCH connection for events.
/// </summary>
internal sealed class FenceClient(string socketPath, TimeSpan timeout) : IFence
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private Socket? _socket;
    private StreamReader? _reader;
    private StreamWriter? _writer;

    public async Task<FenceAnswer> SetDeadlineAsync(long deadlineNs, string requestId, CancellationToken ct)
    {
        var reply = await RequestAsync(string.Create(CultureInfo.InvariantCulture, $"DEADLINE {deadlineNs} {requestId}"), ct);
        return Answer(reply, requestId);
    }

    public async Task<FenceAnswer> DisableAsync(string requestId, CancellationToken ct) =>
        Answer(await RequestAsync($"DISABLE {requestId}", ct), requestId);

    public async Task<FenceObservation?> StatusAsync(CancellationToken ct) =>
        await RequestAsync("STATUS", ct) is { } reply ? FenceReplyParser.Parse(reply) : null;

    public async IAsyncEnumerable<FenceObservation> WatchAsync([EnumeratorCancellation] CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            StreamReader? reader = null;
            try
            {
                await socket.ConnectAsync(new UnixDomainSocketEndPoint(socketPath), ct);
                var stream = new NetworkStream(socket, ownsSocket: false);
                reader = new StreamReader(stream, Encoding.UTF8);
                await stream.WriteAsync("WATCH\n"u8.ToArray(), ct);
            }
            catch (Exception e) when (e is SocketException or IOException)
            {
                reader?.Dispose();
                reader = null;
            }
            catch (OperationCanceledException)
            {
                yield break;
            }
            while (reader is not null)
            {
                string? line;
                try
                {
                    line = await reader.ReadLineAsync(ct);
                }
                catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException)
                {
                    line = null;
                }
                catch (OperationCanceledException)
                {
                    yield break;
                }
                if (line is null) break;
                if (FenceReplyParser.Parse(line) is { } observation) yield return observation;
            }
            reader?.Dispose();
            try
            {
                await Task.Delay(200, ct);
            }
            catch (OperationCanceledException)
            {
                yield break;
            }
        }
    }

    private static FenceAnswer Answer(string? reply, string requestId) => reply switch
    {
        null => new FenceAnswer(false, "no answer from the fence"),
        _ when reply == "OK " + requestId => new FenceAnswer(true, reply),
        _ => new FenceAnswer(false, reply),
    };

    /// <summary>One request line, one reply line; null on timeout or any I/O failure (the connection is dropped).</summary>
    private async Task<string?> RequestAsync(string line, CancellationToken ct)
    {
        using var bounded = CancellationTokenSource.CreateLinkedTokenSource(ct);
        bounded.CancelAfter(timeout);
        try
        {
            await _gate.WaitAsync(bounded.Token);
        }
        catch (OperationCanceledException)
        {
            return null;
        }
        try
        {
            if (_socket is null)
            {
                var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
                try
                {
                    await socket.ConnectAsync(new UnixDomainSocketEndPoint(socketPath), bounded.Token);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
                var stream = new NetworkStream(socket, ownsSocket: true);
                _socket = socket;
                _reader = new StreamReader(stream, Encoding.UTF8);
                _writer = new StreamWriter(stream, new UTF8Encoding(false)) { NewLine = "\n", AutoFlush = true };
            }
            await _writer!.WriteLineAsync(line.AsMemory(), bounded.Token);
            return await _reader!.ReadLineAsync(bounded.Token) ?? throw new IOException("fence closed the connection");
        }
        catch (Exception e) when (e is SocketException or IOException or OperationCanceledException or ObjectDisposedException)
        {
            Drop();
            return null;
        }
        finally
        {
            _gate.Release();
        }
    }

    private void Drop()
    {
        _reader?.Dispose();
        _writer?.Dispose();
        _socket?.Dispose();
        (_socket, _reader, _writer) = (null, null, null);
    }

    public ValueTask DisposeAsync()
    {
        Drop();
        _gate.Dispose();
        return ValueTask.CompletedTask;
    }
}
