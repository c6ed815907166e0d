using System.Collections.Concurrent;
using System.Collections.Immutable;
using System.Net;
using System.Net.Sockets;
using Akka.Event;
using Forge.Shell.Commands;

namespace Forge.Shell.Host;

/// <summary>
/// The command host: a TCP listener that serves the palettes to shell clients. It is an edge of the actor system
/// (like an HTTP endpoint): commands may Ask actors and await; nothing here runs inside an actor.
/// </summary>
public sealed class ShellHost : IAsyncDisposable
{
    private readonly TcpListener _listener;
    private readonly CancellationTokenSource _stopping = new();
    private readonly ConcurrentDictionary<ShellSession, Task> _sessions = new();
    private readonly Task _acceptLoop;

    private ShellHost(ShellSettings settings, TokenGate gate, string hostName, ImmutableArray<Palette> palettes, ILoggingAdapter log)
    {
        Settings = settings;
        Gate = gate;
        HostName = hostName;
        Palettes = palettes;
        Log = log;
        _listener = new TcpListener(settings.Address, settings.Port);
        _listener.Start();
        Endpoint = (IPEndPoint)_listener.LocalEndpoint;
        _acceptLoop = AcceptLoopAsync();
    }

    /// <summary>Starts listening at once; the port is bound when this returns (so a port clash fails the caller).</summary>
    public static ShellHost Start(ShellSettings settings, string hostName, IEnumerable<Palette> palettes, ILoggingAdapter log)
    {
        var gate = TokenGate.FromSettings(settings);
        var list = palettes.ToImmutableArray();
        var dup = list.GroupBy(p => p.Name).FirstOrDefault(g => g.Count() > 1);
        if (dup is not null) throw new ArgumentException($"palette '{dup.Key}' is registered twice");
        var host = new ShellHost(settings, gate, hostName, list, log);
        log.Info("Shell host listening on {0} ({1})", host.Endpoint, gate.Required ? "token required" : "no token, loopback only");
        return host;
    }

    public IPEndPoint Endpoint { get; }
    internal ShellSettings Settings { get; }
    internal TokenGate Gate { get; }
    internal string HostName { get; }
    internal ImmutableArray<Palette> Palettes { get; }
    internal ILoggingAdapter Log { get; }

    private async Task AcceptLoopAsync()
    {
        while (!_stopping.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(_stopping.Token).ConfigureAwait(false);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException)
            {
                return;
            }
            catch (SocketException e)
            {
                Log.Warning("Shell host: accept failed: {0}", e.Message);
                continue;
            }
            var session = new ShellSession(this, client);
            var full = _sessions.Count >= Settings.MaxConnections;
            _sessions[session] = Task.Run(async () =>
            {
                try
                {
                    await session.RunAsync(full, _stopping.Token).ConfigureAwait(false);
                }
                finally
                {
                    _sessions.TryRemove(session, out _);
                }
            });
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_stopping.IsCancellationRequested) return;
        await _stopping.CancelAsync().ConfigureAwait(false);
        _listener.Stop();
        await _acceptLoop.ConfigureAwait(false);
        await Task.WhenAll(_sessions.Values).ConfigureAwait(false);
        _listener.Dispose();
        _stopping.Dispose();
    }
}
