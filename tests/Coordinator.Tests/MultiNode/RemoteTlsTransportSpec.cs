using System.Collections.Immutable;
using Akka.Actor;
using Akka.Actor.Setup;
using Akka.Cluster;
using Akka.Configuration;
using Forge.Cluster;
using Forge.Transport;
using Xunit;
using Xunit.Abstractions;
using static Forge.Coordinator.Tests.MultiNode.MultiNodeWait;

namespace Forge.Coordinator.Tests.MultiNode;

/// <summary>
/// The coordinators' transport (<see cref="RemoteTlsTransport"/>): a coordinator that dials a peer whose TLS handshake
/// fails — a peer with another CA's certificate, a listener that closes mid-handshake, one that never answers — stays
/// up and in its cluster, while the untrusted peer never joins. And, for contrast, Akka's own DotNetty TLS transport
/// shuts the ActorSystem down on the first such dial; and the two transports interoperate.
/// </summary>
[Collection("multi-node")]
public sealed class RemoteTlsTransportSpec(ITestOutputHelper output) : IAsyncLifetime
{
    private static readonly ImmutableArray<string> Regions = Fixtures.Regions;
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    // Our transport; a 1 s handshake bound so the silent listener fails fast; a short gate so the dials repeat.
    private const string OurTransport = RemoteTlsTransport.EnableHocon + """

        akka.remote.forge-tls.connection-timeout = 1s
        akka.remote.retry-gate-closed-for = 200ms
        """;
    private const string AkkaTransport = "akka.remote.dot-netty.tcp { enable-ssl = on, applied-adapters = [] }";

    private readonly FakeQuorum _quorum = new(Regions);
    private readonly List<ActorSystem> _systems = [];
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "forge-remote-tls-" + Guid.NewGuid().ToString("N"));
    private System.Security.Cryptography.X509Certificates.X509Certificate2 _ca = null!;
    private System.Security.Cryptography.X509Certificates.X509Certificate2 _otherCa = null!;

    public Task InitializeAsync()
    {
        Directory.CreateDirectory(_dir);
        _ca = DevCertificates.CreateCa("forge-test-ca");
        _otherCa = DevCertificates.CreateCa("someone-else");
        DevCertificates.WritePem(_ca, Path.Combine(_dir, "ca.pem"));
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        foreach (var s in _systems) await s.Terminate().WaitAsync(TimeSpan.FromSeconds(10)).ContinueWith(_ => { });
        _ca.Dispose();
        _otherCa.Dispose();
        if (Directory.Exists(_dir)) Directory.Delete(_dir, true);
    }

    /// <summary>Settings as the host reads them: the test CA file, and a coordinator certificate signed by <paramref name="trusted"/>
    /// (true: the test CA) or by another CA.</summary>
    private RemoteTlsSettings Tls(string name, bool trusted = true)
    {
        using var cert = DevCertificates.Issue(trusted ? _ca : _otherCa, "forge-coordinator-" + name, server: true, ["localhost", "127.0.0.1"]);
        DevCertificates.WritePem(cert, Path.Combine(_dir, name + ".pem"), Path.Combine(_dir, name + ".key"));
        return new RemoteTlsSettings(true, Path.Combine(_dir, "ca.pem"), Path.Combine(_dir, name + ".pem"),
            Path.Combine(_dir, name + ".key"), "CN=forge-coordinator");
    }

    private InProcessCoordinator Start(int port, string region, string seed, string transport, Setup setup)
    {
        var node = InProcessCoordinator.Start(port, region, Regions, seed, _quorum, transport, setup);
        _systems.Add(node.System);
        return node;
    }

    private static string SeedOf(int port) => $"akka.ssl.tcp://{InProcessCoordinator.SystemName}@127.0.0.1:{port}";

    /// <summary>Two coordinators Up in one cluster over TLS: the seed on our transport, the other on ours or on Akka's.</summary>
    private async Task<(InProcessCoordinator Seed, InProcessCoordinator Other)> FormTwo(bool otherOnAkkaTransport)
    {
        var ports = Enumerable.Range(0, 2).Select(_ => InProcessCoordinator.FreePort()).ToArray();
        var seed = SeedOf(ports[0]);
        var a = Start(ports[0], "us-east-1", seed, OurTransport, Tls("a").CreateTransportSetup());
        var b = otherOnAkkaTransport
            ? Start(ports[1], "us-west-2", seed, AkkaTransport, Tls("b").CreateSetup())
            : Start(ports[1], "us-west-2", seed, OurTransport, Tls("b").CreateTransportSetup());
        await Until(() => a.UpMembers().Length == 2 && b.UpMembers().Length == 2, Deadline, "two TLS members up");
        Assert.Equal("akka.ssl.tcp", a.Address.Protocol);
        Assert.Equal(a.Address.Protocol, b.Address.Protocol);
        return (a, b);
    }

    [Fact]
    public async Task A_coordinator_that_dials_a_failing_handshake_stays_up_and_the_untrusted_peer_never_joins()
    {
        var (a, b) = await FormTwo(otherOnAkkaTransport: false);
        var seed = a.Address.ToString();
        var roguePort = InProcessCoordinator.FreePort();
        var failures = Collect(a.System);

        using var closes = new BrokenTlsPeer(BrokenTlsPeer.Behaviour.ClosesMidHandshake);
        using var silent = new BrokenTlsPeer(BrokenTlsPeer.Behaviour.NeverAnswers);
        // A coordinator with a certificate from another CA, dialing the seed (its join) while the seed dials it.
        var rogue = Start(roguePort, "eu-west-1", seed, OurTransport, Tls("rogue", trusted: false).CreateTransportSetup());
        string[] peers = [closes.Endpoint, silent.Endpoint, $"127.0.0.1:{roguePort}"];

        // a dials each peer (any message opens an association) until each dial has failed its handshake at least twice.
        await Until(async () =>
        {
            foreach (var p in peers) a.System.ActorSelection($"akka.ssl.tcp://{InProcessCoordinator.SystemName}@{p}/user/nobody").Tell("hello");
            var seen = await failures.Ask<ImmutableArray<RemoteTlsHandshakeFailed>>(Get.Instance, TimeSpan.FromSeconds(2));
            return peers.All(p => seen.Count(f => f.Outbound && f.Peer == p) >= 2);
        }, Deadline, "every dial's handshake failed twice");

        var seenByA = await failures.Ask<ImmutableArray<RemoteTlsHandshakeFailed>>(Get.Instance, TimeSpan.FromSeconds(2));
        foreach (var f in seenByA.DistinctBy(f => (f.Peer, f.Outbound))) output.WriteLine($"a: {(f.Outbound ? "dial" : "accept")} {f.Peer}: {f.Reason}");
        Assert.Contains(seenByA, f => f.Peer == silent.Endpoint && f.Reason.Contains("connection-timeout"));
        // The rogue's joins reached the seed's listener and were refused there (its certificate is not our CA's). With
        // TLS 1.3 the rogue's own handshake completes before the seed rejects its certificate, so the rogue sees its
        // association close rather than a failed handshake; either way it stays up, outside.
        Assert.Contains(seenByA, f => !f.Outbound);
        foreach (var n in new[] { a, b, rogue })
        {
            Assert.False(n.Terminated, $"{n.Region} terminated");
            Assert.Null(CoordinatedShutdown.Get(n.System).ShutdownReason);
        }
        Assert.Equal(["us-east-1", "us-west-2"], a.UpMembers().ToArray());
        Assert.Equal(2, a.Cluster.State.Members.Count);
        Assert.Equal(2, b.Cluster.State.Members.Count);
        Assert.DoesNotContain(rogue.Cluster.State.Members, m => m.Status == MemberStatus.Up);
        Assert.True(closes.Accepted >= 2 && silent.Accepted >= 2);
    }

    /// <summary>The defect the transport exists for, shown on Akka.Remote 1.5.73's own TLS transport: one dial to a
    /// listener that closes mid-handshake runs CoordinatedShutdown (the process would exit with code 79).</summary>
    [Fact]
    public async Task Akka_own_tls_transport_shuts_the_system_down_when_a_dial_fails_its_handshake()
    {
        using var closes = new BrokenTlsPeer(BrokenTlsPeer.Behaviour.ClosesMidHandshake);
        var config = ConfigurationFactory.ParseString($$"""
            akka.loglevel = WARNING
            akka.actor.provider = remote
            akka.remote.dot-netty.tcp { hostname = 127.0.0.1, port = 0, enable-ssl = on }
            akka.coordinated-shutdown { exit-clr = off, run-by-clr-shutdown-hook = off }
            """);
        var system = ActorSystem.Create(InProcessCoordinator.SystemName,
            ActorSystemSetup.Create(BootstrapSetup.Create().WithConfig(config), Tls("akka").CreateSetup()));
        _systems.Add(system);

        system.ActorSelection(closes.Address + "/user/nobody").Tell("hello");

        await system.WhenTerminated.WaitAsync(Deadline);
        var reason = CoordinatedShutdown.Get(system).ShutdownReason;
        output.WriteLine($"shutdown reason: {reason?.GetType().FullName}: {reason}");
        Assert.Equal("TlsHandshakeFailureReason", reason?.GetType().Name);
    }

    /// <summary>Same addresses, framing and certificates: a coordinator on Akka's transport joins one on ours (a rolling
    /// upgrade from builds that used Akka's transport works), and a large message goes there and back.</summary>
    [Fact]
    public async Task Our_transport_and_akka_own_tls_transport_form_one_cluster_and_carry_large_messages()
    {
        var (ours, theirs) = await FormTwo(otherOnAkkaTransport: true);
        theirs.System.ActorOf(Props.Create(() => new Echo()), "echo");
        // Many TLS records and more than one write batch each way, under maximum-frame-size (hocon/cluster.conf).
        var payload = new byte[300_000];
        Random.Shared.NextBytes(payload);
        var back = await ours.System.ActorSelection(new RootActorPath(theirs.Address) / "user" / "echo")
            .Ask<byte[]>(payload, TimeSpan.FromSeconds(10));
        Assert.Equal(payload, back);
    }

    private static IActorRef Collect(ActorSystem system)
    {
        var collector = system.ActorOf(Props.Create(() => new FailureCollector()));
        system.EventStream.Subscribe(collector, typeof(RemoteTlsHandshakeFailed));
        return collector;
    }

    private sealed class Echo : ReceiveActor
    {
        public Echo() => ReceiveAny(m => Sender.Tell(m));
    }

    private sealed class Get
    {
        public static readonly Get Instance = new();
    }

    private sealed class FailureCollector : ReceiveActor
    {
        private ImmutableArray<RemoteTlsHandshakeFailed> _seen = [];

        public FailureCollector()
        {
            Receive<RemoteTlsHandshakeFailed>(e => _seen = _seen.Add(e));
            Receive<Get>(_ => Sender.Tell(_seen));
        }
    }
}
