using System.Collections.Immutable;
using System.Net.Sockets;
using Forge.Shell.Protocol;

namespace Forge.Shell.Client;

/// <summary>A client's connection to one command host: handshake, then one run at a time.</summary>
public sealed class ShellConnection : IAsyncDisposable
{
    private readonly TcpClient _tcp;
    private readonly FrameChannel _channel;
    private int _nextId;

    private ShellConnection(TcpClient tcp, FrameChannel channel, Welcome welcome)
    {
        _tcp = tcp;
        _channel = channel;
        Host = welcome.Host;
        Palettes = welcome.Palettes;
    }

    /// <summary>What the host says it is (its cluster address).</summary>
    public string Host { get; }

    public ImmutableArray<PaletteSpec> Palettes { get; }

    /// <exception cref="ShellConnectException">Cannot connect, or the host refused (wrong token, too many clients).</exception>
    public static async Task<ShellConnection> ConnectAsync(string host, int port, string? token, CancellationToken ct)
    {
        var tcp = new TcpClient { NoDelay = true };
        try
        {
            await tcp.ConnectAsync(host, port, ct).ConfigureAwait(false);
        }
        catch (SocketException e)
        {
            tcp.Dispose();
            throw new ShellConnectException($"cannot connect to {host}:{port}: {e.Message}");
        }
        var channel = new FrameChannel(tcp.GetStream());
        try
        {
            await channel.WriteAsync(new Hello(ShellFrame.ProtocolVersion, "forge-shell", token), ct).ConfigureAwait(false);
            return await channel.ReadAsync(ct).ConfigureAwait(false) switch
            {
                Welcome w => new ShellConnection(tcp, channel, w),
                Refused r => throw new ShellConnectException($"refused by {host}:{port}: {r.Reason}"),
                null => throw new ShellConnectException($"{host}:{port} closed the connection during the handshake"),
                var other => throw new ShellConnectException($"{host}:{port} answered the handshake with '{other.GetType().Name}'"),
            };
        }
        catch (Exception e) when (e is not ShellConnectException)
        {
            await channel.DisposeAsync().ConfigureAwait(false);
            tcp.Dispose();
            throw new ShellConnectException($"{host}:{port}: {e.Message}");
        }
        catch
        {
            await channel.DisposeAsync().ConfigureAwait(false);
            tcp.Dispose();
            throw;
        }
    }

    /// <summary>Runs one command, handing each output line to <paramref name="onLine"/>. Cancelling
    /// <paramref name="cancel"/> asks the host to stop the run; its final <see cref="Done"/> is still awaited.</summary>
    /// <exception cref="ShellConnectException">The connection was lost.</exception>
    public async Task<Done> RunAsync(IReadOnlyList<string> words, Action<string> onLine, CancellationToken cancel)
    {
        var id = Interlocked.Increment(ref _nextId);
        try
        {
            await _channel.WriteAsync(new Run(id, [.. words]), CancellationToken.None).ConfigureAwait(false);
            await using var registration = cancel.Register(() => _channel.WriteAsync(new Cancel(id), CancellationToken.None)
                .ContinueWith(t => t.Exception, TaskScheduler.Default)).ConfigureAwait(false);
            while (true)
            {
                switch (await _channel.ReadAsync(CancellationToken.None).ConfigureAwait(false))
                {
                    case Output o when o.Id == id:
                        onLine(o.Line);
                        break;
                    case Done d when d.Id == id:
                        return d;
                    case null:
                        throw new ShellConnectException("the host closed the connection");
                }
            }
        }
        catch (Exception e) when (e is IOException or SocketException or InvalidDataException or ObjectDisposedException)
        {
            throw new ShellConnectException($"connection lost: {e.Message}");
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _channel.DisposeAsync().ConfigureAwait(false);
        _tcp.Dispose();
    }
}

/// <summary>The client could not reach or keep the host; the message says why, for the operator.</summary>
public sealed class ShellConnectException(string message) : Exception(message);
