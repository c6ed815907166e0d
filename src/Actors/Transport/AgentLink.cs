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
/// loss starts again from the first endpoint with backoff and jitter. Events come out in order on <see cref="Events"/>.
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
        while (!ct.IsCancellationRequested)
        {
            foreach (var endpoint in _endpoints)
            {
                var connection = await TryConnectAsync(endpoint, ct);
                if (connection is null) continue;
                _backoff.Reset();
                // Registration goes first on every connection, before anything the agent queues.
                connection.Send(_registration());
                _current = connection;
                _events.Writer.TryWrite(new LinkEvent.Up(endpoint));
                var reason = await connection.RunAsync(m => _events.Writer.TryWrite(new LinkEvent.Received(m)), ct);
                _current = null;
                await connection.DisposeAsync();
                _events.Writer.TryWrite(new LinkEvent.Down(endpoint, reason));
                break; // prefer the first endpoint again
            }
            try
            {
                await Task.Delay(_backoff.Next(), ct);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }
        _events.Writer.TryComplete();
    }

    private async Task<FramedConnection?> TryConnectAsync(CoordinatorEndpoint endpoint, CancellationToken ct)
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
            if (!ct.IsCancellationRequested) _log($"coordinator {endpoint} unreachable: {refusal ?? e.Message}");
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
