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
/// earlier one as soon as that accepts a connection again (<see cref="LinkSettings.ReturnHomeInterval"/>): an agent
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
        (FramedConnection Connection, int Index)? next = null;
        while (!ct.IsCancellationRequested)
        {
            var link = next ?? await ConnectInOrderAsync(ct);
            next = null;
            if (link is { } l)
            {
                next = await RunConnectionAsync(l.Connection, l.Index, ct);
                if (next is not null) continue; // an earlier endpoint is already connected: no backoff
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
        if (next is { } unused) await unused.Connection.DisposeAsync(); // stopped right after a return home
        _events.Writer.TryComplete();
    }

    private async Task<(FramedConnection, int)?> ConnectInOrderAsync(CancellationToken ct)
    {
        for (var i = 0; i < _endpoints.Count && !ct.IsCancellationRequested; i++)
        {
            if (await TryConnectAsync(_endpoints[i], quiet: false, ct) is { } connection) return (connection, i);
        }
        return null;
    }

    /// <summary>Runs one connection until it closes; returns a connection to an earlier endpoint that replaced it.</summary>
    private async Task<(FramedConnection, int)?> RunConnectionAsync(FramedConnection connection, int index, CancellationToken ct)
    {
        var endpoint = _endpoints[index];
        _backoff.Reset();
        // Registration goes first on every connection, before anything the agent queues.
        connection.Send(_registration());
        _current = connection;
        _events.Writer.TryWrite(new LinkEvent.Up(endpoint));
        using var away = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var homecoming = index > 0 && _settings.ReturnHomeInterval > TimeSpan.Zero
            ? ReturnHomeAsync(connection, index, away.Token)
            : Task.FromResult<(FramedConnection, int)?>(null);
        var reason = await connection.RunAsync(m => _events.Writer.TryWrite(new LinkEvent.Received(m)), ct);
        await away.CancelAsync();
        var earlier = await homecoming;
        _current = null;
        await connection.DisposeAsync();
        _events.Writer.TryWrite(new LinkEvent.Down(endpoint, reason));
        return earlier;
    }

    /// <summary>Every <see cref="LinkSettings.ReturnHomeInterval"/>, tries the endpoints before <paramref name="index"/>;
    /// the first that accepts replaces <paramref name="current"/> (closed here). Coordinators open their agent port
    /// only once they are Up in the cluster, so a connection accepted there is served at once.</summary>
    private async Task<(FramedConnection, int)?> ReturnHomeAsync(FramedConnection current, int index, CancellationToken ct)
    {
        while (true)
        {
            try
            {
                await Task.Delay(_settings.ReturnHomeInterval, ct);
            }
            catch (OperationCanceledException)
            {
                return null;
            }
            for (var i = 0; i < index; i++)
            {
                if (await TryConnectAsync(_endpoints[i], quiet: true, ct) is not { } earlier) continue;
                if (ct.IsCancellationRequested) // the current link ended meanwhile: start over from the first endpoint
                {
                    await earlier.DisposeAsync();
                    return null;
                }
                _log($"coordinator {_endpoints[i]} accepts again: leaving {_endpoints[index]} for it");
                current.Close($"returning to coordinator {_endpoints[i]}, which comes first");
                return (earlier, i);
            }
        }
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
