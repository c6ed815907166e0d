using System.Collections.Concurrent;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using Akka.Actor;
using Akka.Configuration;
using Akka.Event;
using Akka.Remote;
using Akka.Remote.Transport;

namespace Forge.Cluster;

/// <summary>
/// The Akka.Remote transport between coordinators when <c>forge.cluster.tls.enabled</c>: TCP with mutual TLS
/// (<see cref="SslStream"/>), the certificate and validator from <see cref="RemoteTlsSetup"/>.
/// <para>Why not Akka's own DotNetty transport with <c>enable-ssl</c>: in Akka.Remote 1.5.73 any failed client-side
/// handshake runs CoordinatedShutdown (<c>TlsHandshakeFailureReason</c>, exit code 79, <c>TcpHandlers.UserEventTriggered</c>),
/// also a handshake cut by a partition, a restarting peer or a timeout under load; its transport classes are internal,
/// so no subclass or setting can change that. Here a failed handshake, in either direction, fails that one association
/// (Akka gates the address and retries, as after a refused connection) and is logged; the process stays up.</para>
/// <para>Same addresses (<c>akka.ssl.tcp://system@host:port</c>, host and port from <c>akka.remote.dot-netty.tcp</c>) and
/// the same framing as Akka's transport, so the two interoperate (a rolling upgrade); same trust: both sides present a
/// certificate and run the validator, a peer that fails it never gets an association.</para>
/// </summary>
public sealed class RemoteTlsTransport : Akka.Remote.Transport.Transport
{
    public const string ConfigPath = "akka.remote.forge-tls";
    public const string Scheme = "ssl.tcp";

    /// <summary>HOCON that makes Akka.Remote use this transport (its section, with transport-class, is in hocon/cluster.conf).</summary>
    public const string EnableHocon = $"akka.remote.enabled-transports = [\"{ConfigPath}\"]";

    private readonly RemoteTlsTransportSettings _settings;
    private readonly RemoteTlsSetup _tls;
    private readonly ILoggingAdapter _log;
    private readonly TaskCompletionSource<IAssociationEventListener> _listener = new();
    private readonly ConcurrentDictionary<RemoteTlsAssociation, byte> _open = new();
    private readonly CancellationTokenSource _stop = new();
    private TcpListener? _server;
    private Address? _localAddress;

    public RemoteTlsTransport(ActorSystem system, Config config)
    {
        System = system;
        Config = config;
        _settings = RemoteTlsTransportSettings.From(config, system.Settings.Config);
        var setup = system.Settings.Setup.Get<RemoteTlsSetup>();
        // Fail closed: without a certificate and validator this transport never speaks, not even in plaintext.
        if (!setup.HasValue) throw new ConfigurationException($"{ConfigPath} needs a {nameof(RemoteTlsSetup)} in the ActorSystem setup");
        _tls = setup.Value;
        SchemeIdentifier = Scheme;
        MaximumPayloadBytes = _settings.MaxFrameSize;
        _log = Logging.GetLogger(system, typeof(RemoteTlsTransport));
    }

    public override bool IsResponsibleFor(Address remote) => true;

    public override async Task<(Address, TaskCompletionSource<IAssociationEventListener>)> Listen()
    {
        var ip = IPAddress.TryParse(_settings.Hostname, out var parsed)
            ? parsed
            : (await Dns.GetHostAddressesAsync(_settings.Hostname).ConfigureAwait(false)).First(a => !a.IsIPv6LinkLocal);
        var server = new TcpListener(ip, _settings.Port);
        server.Server.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true); // rebind at once after a restart
        try
        {
            server.Start(_settings.Backlog);
        }
        catch (SocketException e)
        {
            throw new RemoteTransportException($"Failed to bind to [{ip}:{_settings.Port}]: {e.Message}", e);
        }
        _server = server;
        var bound = (IPEndPoint)server.LocalEndpoint;
        _localAddress = new Address(Scheme, System.Name, _settings.AddressHost, _settings.PublicPort ?? bound.Port);
        _ = AcceptLoop(server);
        return (_localAddress, _listener);
    }

    public override async Task<AssociationHandle> Associate(Address remoteAddress)
    {
        var local = _localAddress ?? throw new InvalidOperationException("the transport is not listening");
        if (remoteAddress.Host is not { } host || remoteAddress.Port is not { } port)
            throw new InvalidAssociationException($"{remoteAddress} has no host or port");
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
        deadline.CancelAfter(_settings.ConnectTimeout);
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        socket.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.KeepAlive, true); // as Akka's tcp-keepalive = on
        try
        {
            await socket.ConnectAsync(host.Trim('[', ']'), port, deadline.Token).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            socket.Dispose();
            throw new InvalidAssociationException($"Failed to associate with {remoteAddress}: {Describe(e, deadline)}");
        }
        var ssl = new SslStream(new NetworkStream(socket, ownsSocket: true), leaveInnerStreamOpen: false);
        try
        {
            await ssl.AuthenticateAsClientAsync(ClientOptions(remoteAddress), deadline.Token).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            await ssl.DisposeAsync().ConfigureAwait(false);
            var why = Describe(e, deadline);
            _log.Warning("Remote TLS: handshake with {0} failed ({1}); that association fails and is retried, this coordinator stays up",
                remoteAddress, why);
            System.EventStream.Publish(new RemoteTlsHandshakeFailed($"{host}:{port}", Outbound: true, why));
            throw new InvalidAssociationException($"TLS handshake with {remoteAddress} failed: {why}");
        }
        return Track(new RemoteTlsAssociation(local, remoteAddress, ssl, _settings, _log, Untrack));
    }

    public override Task<bool> Shutdown()
    {
        _stop.Cancel();
        _server?.Stop();
        foreach (var a in _open.Keys) a.Abort();
        return Task.FromResult(true);
    }

    private async Task AcceptLoop(TcpListener server)
    {
        // Akka hands over its listener once it is ready for inbound associations.
        var listener = await _listener.Task.ConfigureAwait(false);
        while (!_stop.IsCancellationRequested)
        {
            Socket socket;
            try
            {
                socket = await server.AcceptSocketAsync(_stop.Token).ConfigureAwait(false);
            }
            catch (Exception) when (_stop.IsCancellationRequested)
            {
                return;
            }
            catch (SocketException e)
            {
                _log.Warning("Remote TLS: accept failed: {0}", e.Message);
                continue;
            }
            _ = AcceptOne(socket, listener);
        }
    }

    private async Task AcceptOne(Socket socket, IAssociationEventListener listener)
    {
        socket.NoDelay = true;
        socket.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.KeepAlive, true);
        var peer = socket.RemoteEndPoint as IPEndPoint;
        var ssl = new SslStream(new NetworkStream(socket, ownsSocket: true), leaveInnerStreamOpen: false);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
        deadline.CancelAfter(_settings.ConnectTimeout);
        try
        {
            await ssl.AuthenticateAsServerAsync(ServerOptions(peer), deadline.Token).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            await ssl.DisposeAsync().ConfigureAwait(false);
            var why = Describe(e, deadline);
            _log.Warning("Remote TLS: refused inbound connection from {0}: handshake failed ({1})", peer, why);
            System.EventStream.Publish(new RemoteTlsHandshakeFailed(peer?.ToString() ?? "?", Outbound: false, why));
            return;
        }
        var remote = peer is null
            ? new Address(Scheme, System.Name)
            : new Address(Scheme, System.Name, RemoteTlsTransportSettings.Bracketed(peer.Address.IsIPv4MappedToIPv6 ? peer.Address.MapToIPv4() : peer.Address), peer.Port);
        listener.Notify(new InboundAssociation(Track(new RemoteTlsAssociation(_localAddress!, remote, ssl, _settings, _log, Untrack))));
    }

    private RemoteTlsAssociation Track(RemoteTlsAssociation association)
    {
        _open.TryAdd(association, 0);
        if (_stop.IsCancellationRequested) association.Abort();
        return association;
    }

    private void Untrack(RemoteTlsAssociation association) => _open.TryRemove(association, out _);

    private SslClientAuthenticationOptions ClientOptions(Address remote) => new()
    {
        TargetHost = remote.Host!.Trim('[', ']'),
        ClientCertificates = [_tls.Certificate],
        // Present ours whatever the server asks for: the server's validator decides.
        LocalCertificateSelectionCallback = (_, _, _, _, _) => _tls.Certificate,
        RemoteCertificateValidationCallback = (_, cert, chain, errors) => Validate(cert, chain, remote.ToString(), errors),
        CertificateRevocationCheckMode = X509RevocationMode.NoCheck,
        EnabledSslProtocols = SslProtocols.None, // the platform's default (TLS 1.2/1.3), as Akka's transport negotiates
    };

    private SslServerAuthenticationOptions ServerOptions(IPEndPoint? peer) => new()
    {
        ServerCertificate = _tls.Certificate,
        ClientCertificateRequired = true,
        RemoteCertificateValidationCallback = (_, cert, chain, errors) => Validate(cert, chain, peer?.ToString() ?? "?", errors),
        CertificateRevocationCheckMode = X509RevocationMode.NoCheck,
        EnabledSslProtocols = SslProtocols.None,
    };

    private bool Validate(X509Certificate? cert, X509Chain? chain, string peer, SslPolicyErrors errors)
    {
        var cert2 = cert as X509Certificate2 ?? (cert is null ? null : X509CertificateLoader.LoadCertificate(cert.GetRawCertData()));
        return _tls.Validator(cert2, chain, peer, errors, _log);
    }

    private string Describe(Exception e, CancellationTokenSource deadline) =>
        e is OperationCanceledException && deadline.IsCancellationRequested && !_stop.IsCancellationRequested
            ? $"no answer within connection-timeout {_settings.ConnectTimeout.TotalSeconds:0.#}s"
            : e.InnerException is { } inner ? $"{e.Message} {inner.Message}" : e.Message;
}
