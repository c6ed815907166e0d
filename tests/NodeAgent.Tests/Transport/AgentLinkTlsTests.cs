using Forge.Net;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using Forge.Protocol;
using Forge.Transport;
using Xunit;

namespace Forge.NodeAgent.Tests.Transport;

public sealed class AgentLinkTlsTests : IDisposable
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);
    private static readonly LinkSettings Fast = new()
    {
        PingInterval = TimeSpan.FromMilliseconds(200),
        DeadLinkTimeout = TimeSpan.FromMilliseconds(1500),
        BackoffMin = TimeSpan.FromMilliseconds(20),
        BackoffMax = TimeSpan.FromMilliseconds(200),
        // generous: the suite shares 2 cores with other builds
        HandshakeTimeout = TimeSpan.FromSeconds(10),
        ConnectTimeout = TimeSpan.FromSeconds(5),
    };

    private readonly TempDir _dir = new("forge-tls");
    private readonly DevPkiPaths _pki;
    private readonly DevPkiPaths _otherPki;
    private readonly NodeId _node = new("c1", "pod-0");
    private readonly Guid _incarnation = Guid.NewGuid();

    public AgentLinkTlsTests()
    {
        _pki = DevCertificates.CreateSet(_dir["pki"]);
        _otherPki = DevCertificates.CreateSet(_dir["other"]);
    }

    public void Dispose() => _dir.Dispose();

    private RegisterAgent Registration() => new(AgentProtocol.Version, "pool1", _node, "r1", _incarnation,
        new CredentialFingerprint("ab", 1, 0, 60), AgentMode.Cluster);

    private AgentGatewayServer StartServer(RecordingHandler handler, int port = 0)
    {
        var server = new AgentGatewayServer(new IPEndPoint(IPAddress.Loopback, port), _pki.Server, handler, Fast);
        server.Start();
        return server;
    }

    [Fact]
    public async Task Round_trip_over_mutual_tls_registers_then_exchanges_messages()
    {
        var handler = new RecordingHandler();
        await using var server = StartServer(handler);
        await using var link = new AgentLink([new CoordinatorEndpoint("127.0.0.1", server.LocalEndPoint.Port)], _pki.Client,
            Registration, Fast);
        link.Start();

        var registered = await NextMessage<AgentRegistered>(link);
        Assert.Equal(_incarnation, registered.Incarnation);
        Assert.Equal(_node, handler.Messages.First().Message is RegisterAgent r ? r.Node : default);
        Assert.Contains("forge-agent", handler.Connected.Single().PeerSubject, StringComparison.Ordinal);

        var term = new TermId(3, "coord-a");
        Assert.True(link.Send(new GrantRequest("pool1", _node, _incarnation, term, 7)));
        await Poll.UntilAsync(() => handler.Messages.Any(m => m.Message is GrantRequest { RequestId: 7 }), Wait, "grant request");
        handler.Connected.Single().Send(new Renewed(_node, _incarnation, term, TimeSpan.FromSeconds(5), 7, ["r1", "r2"]));
        var renewed = await NextMessage<Renewed>(link);
        Assert.Equal(["r1", "r2"], renewed.AcceptedByRegions.AsEnumerable());

        // Keep-alive: the link stays up across several dead-link timeouts while both ends ping.
        await Task.Delay(Fast.DeadLinkTimeout * 2);
        Assert.True(link.IsConnected);
        Assert.Empty(handler.Disconnected);
    }

    [Fact]
    public async Task Tries_endpoints_in_order_and_re_registers_after_a_reconnect()
    {
        var handler = new RecordingHandler();
        var server = StartServer(handler);
        var port = server.LocalEndPoint.Port;
        var deadPort = FreePort();
        await using var link = new AgentLink(
            [new CoordinatorEndpoint("127.0.0.1", deadPort), new CoordinatorEndpoint("localhost", port)], _pki.Client,
            Registration, Fast);
        link.Start();
        await NextMessage<AgentRegistered>(link);

        await server.DisposeAsync();
        await NextEvent<LinkEvent.Down>(link);
        await using var again = StartServer(handler, port);
        await NextMessage<AgentRegistered>(link);
        Assert.Equal(2, handler.Messages.Count(m => m.Message is RegisterAgent));
    }

    [Fact]
    public async Task A_link_on_a_later_endpoint_returns_to_the_first_once_that_registers_it_and_only_then_leaves()
    {
        // The agent's region's coordinator was restarting: the link went to another region's, and goes back once its own
        // coordinator acknowledges the registration (make before break: the node never looks disconnected).
        var away = new RecordingHandler();
        await using var awayServer = StartServer(away);
        var homePort = FreePort();
        CoordinatorEndpoint home = new("127.0.0.1", homePort), other = new("127.0.0.1", awayServer.LocalEndPoint.Port);
        var fast = Fast with { ReturnHomeInterval = TimeSpan.FromMilliseconds(200), HandshakeTimeout = TimeSpan.FromSeconds(1) };
        await using var link = new AgentLink([home, other], _pki.Client, Registration, fast);
        link.Start();
        Assert.Equal(other, (await NextEvent<LinkEvent.Up>(link)).Endpoint);
        await NextMessage<AgentRegistered>(link);

        // Home listens but does not acknowledge yet (its Sharding still settling): the link stays, and takes its
        // registration back on the link it stays on (home may have moved it); the agent sees no answer it did not ask for.
        var homeHandler = new RecordingHandler { Answers = false };
        await using var homeServer = StartServer(homeHandler, homePort);
        await Poll.UntilAsync(() => away.Messages.Count(m => m.Message is RegisterAgent) >= 2, Wait, "the registration taken back");
        Assert.Contains(homeHandler.Messages, m => m.Message is RegisterAgent);
        Assert.Empty(away.Disconnected);
        Assert.True(link.IsConnected);

        homeHandler.Answers = true;
        var events = new List<LinkEvent>();
        using (var cts = new CancellationTokenSource(Wait))
            while (events.LastOrDefault() is not LinkEvent.Received { Message: AgentRegistered })
                events.Add(await link.Events.ReadAsync(cts.Token));
        // the move, and nothing before it (the taken-back registration's answer is not shown): Down(other), Up(home),
        // then home's acknowledgement
        Assert.Equal(3, events.Count);
        var down = Assert.IsType<LinkEvent.Down>(events[0]);
        Assert.Equal(other, down.Endpoint);
        Assert.Contains("returning to coordinator 127.0.0.1:" + homePort, down.Reason);
        Assert.Equal(home, Assert.IsType<LinkEvent.Up>(events[1]).Endpoint);
        await Poll.UntilAsync(() => !away.Disconnected.IsEmpty, Wait, "the link it left to close");
        Assert.True(link.Send(new GrantRequest("pool1", _node, _incarnation, new TermId(1, "c"), 1)));
        await Poll.UntilAsync(() => homeHandler.Messages.Any(m => m.Message is GrantRequest), Wait, "a request on the new link");
    }

    [Fact]
    public async Task A_client_certificate_from_another_ca_is_refused()
    {
        var handler = new RecordingHandler();
        await using var server = StartServer(handler);
        await using var link = new AgentLink([new CoordinatorEndpoint("127.0.0.1", server.LocalEndPoint.Port)], _otherPki.Client,
            Registration, Fast);
        link.Start();
        await Poll.UntilAsync(() => server.RefusedHandshakes >= 2, Wait, "refused handshakes");
        Assert.Empty(handler.Connected);
        Assert.Empty(handler.Messages);
    }

    [Fact]
    public async Task A_server_certificate_from_another_ca_is_refused_by_the_agent()
    {
        var handler = new RecordingHandler();
        await using var server = new AgentGatewayServer(new IPEndPoint(IPAddress.Loopback, 0), _otherPki.Server, handler, Fast);
        server.Start();
        var log = new System.Collections.Concurrent.ConcurrentQueue<string>();
        await using var link = new AgentLink([new CoordinatorEndpoint("127.0.0.1", server.LocalEndPoint.Port)], _pki.Client,
            Registration, Fast, log.Enqueue);
        link.Start();
        await Poll.UntilAsync(() => log.Any(l => l.Contains("server certificate refused", StringComparison.Ordinal)), Wait,
            "the agent to refuse the server");
        Assert.Empty(handler.Connected);
    }

    [Fact]
    public async Task A_client_without_a_certificate_is_refused()
    {
        var handler = new RecordingHandler();
        await using var server = StartServer(handler);
        using var ca = X509CertificateLoader.LoadCertificateFromFile(_pki.CaCert);
        await using var ssl = await RawTlsAsync(server.LocalEndPoint.Port, ca, clientCert: null);
        var refusedOrClosed = await ReadFailsOrEnds(ssl);
        Assert.True(refusedOrClosed);
        await Poll.UntilAsync(() => server.RefusedHandshakes == 1, Wait, "the refusal");
        Assert.Empty(handler.Connected);
    }

    [Fact]
    public async Task Garbage_frames_close_the_link()
    {
        var handler = new RecordingHandler();
        await using var server = StartServer(handler);
        using var tls = _pki.Client.Load();
        await using var ssl = await RawTlsAsync(server.LocalEndPoint.Port, tls.Ca, tls.Own);
        await Poll.UntilAsync(() => !handler.Connected.IsEmpty, Wait, "the session");
        await ssl.WriteAsync(new byte[] { 0, 0, 0, 9, 3, (byte)'F', (byte)'o', (byte)'o', 1, 2, 3, 4, 5 });
        await ssl.FlushAsync();
        var reason = await Poll.UntilAsync(() => handler.Disconnected.IsEmpty ? null : handler.Disconnected.First().Reason,
            Wait, "the server to close the link");
        Assert.Contains("bad frame", reason, StringComparison.Ordinal);
        Assert.True(await ReadFailsOrEnds(ssl));
    }

    [Fact]
    public async Task A_silent_peer_is_closed_as_dead()
    {
        var handler = new RecordingHandler();
        await using var server = StartServer(handler);
        using var tls = _pki.Client.Load();
        // Completes the handshake, then never reads or answers pings.
        await using var ssl = await RawTlsAsync(server.LocalEndPoint.Port, tls.Ca, tls.Own);
        var reason = await Poll.UntilAsync(() => handler.Disconnected.IsEmpty ? null : handler.Disconnected.First().Reason,
            Wait, "the dead-link timeout");
        Assert.Contains("dead link", reason, StringComparison.Ordinal);
    }

    private static async Task<SslStream> RawTlsAsync(int port, X509Certificate2 ca, X509Certificate2? clientCert)
    {
        var tcp = new TcpClient();
        await tcp.ConnectAsync(IPAddress.Loopback, port);
        var ssl = new SslStream(tcp.GetStream(), false, PeerValidation.ForServer(ca));
        await ssl.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
        {
            TargetHost = "localhost",
            EnabledSslProtocols = SslProtocols.Tls13,
            ClientCertificates = clientCert is null ? null : new X509CertificateCollection { clientCert },
            LocalCertificateSelectionCallback = clientCert is null ? null : (_, _, _, _, _) => clientCert,
        });
        return ssl;
    }

    /// <summary>With TLS 1.3 the server judges the client certificate after the client's handshake completes, so a
    /// refusal shows up on the client's first read.</summary>
    private static async Task<bool> ReadFailsOrEnds(SslStream ssl)
    {
        try
        {
            using var cts = new CancellationTokenSource(Wait);
            var buffer = new byte[4096];
            while (true)
            {
                var n = await ssl.ReadAsync(buffer, cts.Token);
                if (n == 0) return true;
            }
        }
        catch (Exception e) when (e is IOException or AuthenticationException)
        {
            return true;
        }
    }

    private static int FreePort() => LoopbackPorts.Next();

    private static async Task<T> NextMessage<T>(AgentLink link) where T : IAgentProtocolMessage
    {
        using var cts = new CancellationTokenSource(Wait);
        while (true)
        {
            var e = await link.Events.ReadAsync(cts.Token);
            if (e is LinkEvent.Received { Message: T m }) return m;
        }
    }

    private static async Task<T> NextEvent<T>(AgentLink link) where T : LinkEvent
    {
        using var cts = new CancellationTokenSource(Wait);
        while (true)
        {
            var e = await link.Events.ReadAsync(cts.Token);
            if (e is T t) return t;
        }
    }
}
