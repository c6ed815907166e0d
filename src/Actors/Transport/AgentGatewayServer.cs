using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using Forge.Protocol;

namespace Forge.Transport;

/// <summary>
/// The coordinator's listener for agents: TCP, TLS 1.3, client certificate required and validated against the
/// configured CA. Each connection's messages go to <see cref="IAgentSessionHandler"/>; a failed handshake never does.
/// </summary>
public sealed class AgentGatewayServer : IAsyncDisposable
{
    private readonly IPEndPoint _listen;
    private readonly LoadedTls _tls;
    private readonly IAgentSessionHandler _handler;
    private readonly LinkSettings _settings;
    private readonly Action<string> _log;
    private readonly CancellationTokenSource _stop = new();
    private TcpListener? _listener;
    private Task? _acceptLoop;
    private long _nextSessionId;
    private int _refusedHandshakes;

    public AgentGatewayServer(IPEndPoint listen, TlsSettings tls, IAgentSessionHandler handler, LinkSettings? settings = null,
        Action<string>? log = null)
    {
        _listen = listen;
        _tls = tls.Load();
        _handler = handler;
        _settings = (settings ?? LinkSettings.Default).Validate();
        _log = log ?? (_ => { });
    }

    /// <summary>The bound endpoint (port 0 resolves to the actual port once started).</summary>
    public IPEndPoint LocalEndPoint => (IPEndPoint)(_listener?.LocalEndpoint ?? _listen);

    /// <summary>Handshakes refused so far (no certificate, untrusted certificate, not TLS 1.3).</summary>
    public int RefusedHandshakes => Volatile.Read(ref _refusedHandshakes);

    public void Start()
    {
        _listener = new TcpListener(_listen);
        _listener.Start();
        _acceptLoop = AcceptLoopAsync(_listener, _stop.Token);
    }

    private async Task AcceptLoopAsync(TcpListener listener, CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await listener.AcceptTcpClientAsync(ct);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                return;
            }
            _ = Task.Run(() => ServeAsync(client, ct), CancellationToken.None);
        }
    }

    private async Task ServeAsync(TcpClient client, CancellationToken ct)
    {
        using var _ = client;
        client.NoDelay = true;
        var remote = client.Client.RemoteEndPoint;
        string? refusal = null;
        var ssl = new SslStream(client.GetStream(), leaveInnerStreamOpen: false,
            PeerValidation.ForClient(_tls.Ca, r => refusal = r));
        try
        {
            using var handshake = CancellationTokenSource.CreateLinkedTokenSource(ct);
            handshake.CancelAfter(_settings.HandshakeTimeout);
            await ssl.AuthenticateAsServerAsync(new SslServerAuthenticationOptions
            {
                ServerCertificate = _tls.Own,
                ClientCertificateRequired = true,
                EnabledSslProtocols = SslProtocols.Tls13,
                CertificateRevocationCheckMode = System.Security.Cryptography.X509Certificates.X509RevocationMode.NoCheck,
            }, handshake.Token);
        }
        catch (Exception e) when (e is AuthenticationException or IOException or OperationCanceledException or SocketException)
        {
            Interlocked.Increment(ref _refusedHandshakes);
            _log($"agent handshake from {remote} refused: {refusal ?? e.Message}");
            await ssl.DisposeAsync();
            return;
        }

        var connection = new FramedConnection(ssl, _settings);
        var session = new Session(Interlocked.Increment(ref _nextSessionId), remote,
            ssl.RemoteCertificate?.Subject ?? "", connection);
        string reason;
        try
        {
            _handler.OnConnected(session);
            reason = await connection.RunAsync(m => _handler.OnMessage(session, m), ct);
        }
        finally
        {
            await connection.DisposeAsync();
        }
        _handler.OnDisconnected(session, reason);
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener?.Stop();
        if (_acceptLoop is not null) await _acceptLoop;
        _tls.Dispose();
        _stop.Dispose();
    }

    private sealed class Session(long id, EndPoint? remote, string subject, FramedConnection connection) : IAgentSession
    {
        public long Id => id;
        public EndPoint? Remote => remote;
        public string PeerSubject => subject;
        public bool Send(IAgentProtocolMessage message) => connection.Send(message);
        public void Close(string reason) => connection.Close(reason);
        public override string ToString() => $"agent-session#{id} {subject} {remote}";
    }
}
