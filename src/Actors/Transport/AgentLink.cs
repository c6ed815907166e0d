using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using System.Threading.Channels;
using Forge.Protocol;

namespace Forge.Transport;

/// <summary>
/// The agent's link to the coordinators: tries the endpoints in order (its region's first), keeps one mutually
/// authenticated TLS 1.3 connection, sends a fresh <see cref="RegisterAgent"/> first on every connection, and after a
/// loss starts again from the first endpoint with backoff and jitter. Linked to a later endpoint, it goes back to an
/// earlier one as soon as that registers it again (<see cref="LinkSettings.ReturnHomeInterval"/>): an agent
/// whose region's coordinator restarted would otherwise stay linked across regions, and a cut between those regions
/// would then hide a healthy standby from every proposer (seen: 9.6 s failovers in a partition series, the next region
/// cut being the one that held the links). Events come out in order on <see cref="Events"/>.
/// </summary>
public sealed class AgentLink : IAsyncDisposable
{
    private readonly IReadOnlyList<CoordinatorEndpoint> _endpoints;
    private readonly LoadedTls _tls;
    private readonly Func<RegisterAgent> _registration;
    private readonly LinkSettings _settings;
    private readonly Action<string> _log;
    private readonly Backoff _backoff;
    private readonly Channel<LinkEvent> _events = Channel.CreateUnbounded<LinkEvent>(new UnboundedChannelOptions { SingleWriter = true });
    private readonly CancellationTokenSource _stop = new();
    private volatile FramedConnection? _current;
    private Task? _run;

    public AgentLink(IReadOnlyList<CoordinatorEndpoint> endpoints, TlsSettings tls, Func<RegisterAgent> registration,
        LinkSettings? settings = null, Action<string>? log = null)
    {
        if (endpoints.Count == 0) throw new ArgumentException("at least one coordinator endpoint is required", nameof(endpoints));
        _endpoints = endpoints;
        _tls = tls.Load();
        _registration = registration;
        _settings = (settings ?? LinkSettings.Default).Validate();
        _log = log ?? (_ => { });
        _backoff = new Backoff(_settings.BackoffMin, _settings.BackoffMax);
    }

    public ChannelReader<LinkEvent> Events => _events.Reader;

    public bool IsConnected => _current is { IsClosed: false };

    public void Start() => _run ??= Task.Run(() => RunAsync(_stop.Token));

    /// <summary>Queues a message on the current connection; false (message dropped) when there is none.</summary>
    public bool Send(IAgentProtocolMessage message) => _current?.Send(message) ?? false;

    /// <summary>Sends a fresh registration on the current connection (the agent retries after a refusal).</summary>
    public bool Reregister() => _current?.Send(_registration()) ?? false;

    private async Task RunAsync(CancellationToken ct)
    {
        LiveConnection? next = null;
        while (!ct.IsCancellationRequested)
        {
            var link = next ?? await ConnectInOrderAsync(ct);
            next = null;
            if (link is not null)
            {
                next = await RunConnectionAsync(link, ct);
                if (next is not null) continue; // an earlier endpoint is already connected and registered: no backoff
            }
            try
            {
                await Task.Delay(_backoff.Next(), ct); // then prefer the first endpoint again
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }
        if (next is not null) await DropAsync(next, "agent link stopped"); // stopped right after a return home
        _events.Writer.TryComplete();
    }

    private async Task<LiveConnection?> ConnectInOrderAsync(CancellationToken ct)
    {
        for (var i = 0; i < _endpoints.Count && !ct.IsCancellationRequested; i++)
        {
            if (await TryConnectAsync(_endpoints[i], quiet: false, ct) is { } connection) return Start(connection, i, ct);
        }
        return null;
    }

    /// <summary>Registration goes first on every connection, before anything the agent queues.</summary>
    private LiveConnection Start(FramedConnection connection, int index, CancellationToken ct)
    {
        connection.Send(_registration());
        return new LiveConnection(connection, index, ct);
    }

    /// <summary>Runs one connection until it closes; returns a registered connection to an earlier endpoint that
    /// replaced it.</summary>
    private async Task<LiveConnection?> RunConnectionAsync(LiveConnection link, CancellationToken ct)
    {
        var endpoint = _endpoints[link.Index];
        _backoff.Reset();
        _current = link.Connection;
        _events.Writer.TryWrite(new LinkEvent.Up(endpoint));
        link.Deliver(m => _events.Writer.TryWrite(new LinkEvent.Received(m)));
        using var away = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var homecoming = link.Index > 0 && _settings.ReturnHomeInterval > TimeSpan.Zero
            ? ReturnHomeAsync(link, away.Token, ct)
            : Task.FromResult<LiveConnection?>(null);
        var reason = await link.Run;
        await away.CancelAsync();
        var earlier = await homecoming;
        _current = null;
        await link.Connection.DisposeAsync();
        _events.Writer.TryWrite(new LinkEvent.Down(endpoint, reason));
        return earlier;
    }

    /// <summary>
    /// Every <see cref="LinkSettings.ReturnHomeInterval"/>, tries the endpoints before the current one's, make before
    /// break: a connection there is registered beside the current one, and only once that coordinator acknowledged the
    /// registration is the current one closed (its coordinator's notice of the close then comes after the new
    /// registration and changes nothing: the node never looks disconnected). A coordinator that does not acknowledge
    /// within the handshake timeout (its Sharding still settling after a restart) is left for the next round, and the
    /// registration taken back on the current connection.
    /// </summary>
    private async Task<LiveConnection?> ReturnHomeAsync(LiveConnection current, CancellationToken away, CancellationToken stop)
    {
        while (true)
        {
            try
            {
                await Task.Delay(_settings.ReturnHomeInterval, away);
            }
            catch (OperationCanceledException)
            {
                return null;
            }
            for (var i = 0; i < current.Index && !away.IsCancellationRequested; i++)
            {
                if (await TryConnectAsync(_endpoints[i], quiet: true, away) is not { } connection) continue;
                var trial = Start(connection, i, stop);
                await Task.WhenAny(trial.Registered, trial.Run, Task.Delay(_settings.HandshakeTimeout, away));
                if (trial.Registered.IsCompletedSuccessfully && trial.Registered.Result)
                {
                    _log($"coordinator {_endpoints[i]} registered this agent again: leaving {_endpoints[current.Index]} for it");
                    current.Connection.Close($"returning to coordinator {_endpoints[i]}, which comes first");
                    return trial;
                }
                await DropAsync(trial, "not taken: no registration acknowledged in time");
                if (!away.IsCancellationRequested) current.Reregister(_registration()); // its coordinator may have moved it
            }
        }
    }

    private static async Task DropAsync(LiveConnection link, string reason)
    {
        link.Connection.Close(reason);
        await link.Run;
        await link.Connection.DisposeAsync();
    }

    /// <param name="quiet">A failure is expected (a return-home attempt): not logged.</param>
    private async Task<FramedConnection?> TryConnectAsync(CoordinatorEndpoint endpoint, bool quiet, CancellationToken ct)
    {
        var tcp = new TcpClient { NoDelay = true };
        string? refusal = null;
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
            timeout.CancelAfter(_settings.ConnectTimeout);
            await tcp.ConnectAsync(endpoint.Host, endpoint.Port, timeout.Token);
            var ssl = new SslStream(tcp.GetStream(), leaveInnerStreamOpen: false, PeerValidation.ForServer(_tls.Ca, r => refusal = r));
            timeout.CancelAfter(_settings.HandshakeTimeout);
            try
            {
                await ssl.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
                {
                    TargetHost = endpoint.Host,
                    ClientCertificates = new X509CertificateCollection { _tls.Own },
                    EnabledSslProtocols = SslProtocols.Tls13,
                    CertificateRevocationCheckMode = X509RevocationMode.NoCheck,
                    LocalCertificateSelectionCallback = (_, _, _, _, _) => _tls.Own,
                }, timeout.Token);
            }
            catch
            {
                await ssl.DisposeAsync();
                throw;
            }
            return new FramedConnection(ssl, _settings);
        }
        catch (Exception e) when (e is SocketException or IOException or AuthenticationException or OperationCanceledException)
        {
            tcp.Dispose();
            if (!ct.IsCancellationRequested && !quiet) _log($"coordinator {endpoint} unreachable: {refusal ?? e.Message}");
            return null;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _current?.Close("agent link stopped");
        if (_run is not null) await _run;
        _tls.Dispose();
        _stop.Dispose();
    }
}
