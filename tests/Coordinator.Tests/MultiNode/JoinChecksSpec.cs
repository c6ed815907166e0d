using System.Collections.Immutable;
using System.Diagnostics;
using Akka.Actor;
using Akka.Cluster;
using Forge.Cluster;
using Forge.Transport;
using Xunit;
using Xunit.Abstractions;

namespace Forge.Coordinator.Tests.MultiNode;

/// <summary>Who may join: a coordinator with another region list is refused; with TLS on, a peer whose certificate
/// is not signed by the configured CA cannot even connect.</summary>
[Collection("multi-node")]
public sealed class JoinChecksSpec(ITestOutputHelper output) : IAsyncLifetime
{
    private static readonly ImmutableArray<string> Regions = Fixtures.Regions;
    private readonly FakeQuorum _quorum = new(Regions);
    private readonly List<InProcessCoordinator> _nodes = [];
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "forge-tls-" + Guid.NewGuid().ToString("N"));

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var n in _nodes) await n.System.Terminate().WaitAsync(TimeSpan.FromSeconds(10)).ContinueWith(_ => { });
        if (Directory.Exists(_dir)) Directory.Delete(_dir, true);
    }

    private static async Task Until(Func<bool> condition, TimeSpan deadline, string what)
    {
        var sw = Stopwatch.StartNew();
        while (sw.Elapsed < deadline)
        {
            if (condition()) return;
            await Task.Delay(100);
        }
        throw new TimeoutException($"'{what}' did not happen within {deadline.TotalSeconds}s");
    }

    [Fact]
    public async Task A_coordinator_with_another_region_list_is_refused_at_join()
    {
        var ports = Enumerable.Range(0, 3).Select(_ => InProcessCoordinator.FreePort()).ToArray();
        var seed = InProcessCoordinator.SeedOf(ports[0]);
        var a = InProcessCoordinator.Start(ports[0], "us-east-1", Regions, seed, _quorum);
        _nodes.Add(a);
        var refusals = a.System.ActorOf(Props.Create(() => new EventCollector<CoordinatorRefused>()));
        a.System.EventStream.Subscribe(refusals, typeof(CoordinatorRefused));
        _nodes.Add(InProcessCoordinator.Start(ports[1], "us-west-2", Regions, seed, _quorum));
        await Until(() => a.UpMembers().Length == 2, TimeSpan.FromSeconds(15), "two members up");

        // Configured with only two regions: a majority of 2 is not a majority of 3.
        var rogue = InProcessCoordinator.Start(ports[2], "eu-west-1", ["eu-west-1", "us-east-1"], seed, _quorum);
        _nodes.Add(rogue);
        await Until(() => rogue.Terminated, TimeSpan.FromSeconds(20), "the rogue coordinator is downed");
        // The rogue usually refuses itself first (it sees the oldest member's region-list role differ); the leader
        // downs it otherwise. Either way it never counts as a member, and the reason names the setting.
        var refused = await refusals.Ask<ImmutableArray<CoordinatorRefused>>("get", TimeSpan.FromSeconds(2));
        foreach (var r in refused)
        {
            Assert.Contains("forge.cluster.regions", r.Reason);
            output.WriteLine(r.Reason);
        }
        await Until(() => a.UpMembers().SequenceEqual(["us-east-1", "us-west-2"]) && a.Cluster.State.Members.Count == 2,
            TimeSpan.FromSeconds(10), "the rogue is removed");
    }

    [Fact]
    public async Task Mutual_tls_admits_peers_signed_by_the_ca_and_refuses_others()
    {
        Directory.CreateDirectory(_dir);
        using var ca = DevCertificates.CreateCa("forge-test-ca");
        using var otherCa = DevCertificates.CreateCa("someone-else");
        DevCertificates.WritePem(ca, Path.Combine(_dir, "ca.pem"));
        string Issue(X509Ca issuer, string name)
        {
            using var cert = DevCertificates.Issue(issuer.Cert, "forge-coordinator-" + name, server: true, ["localhost", "127.0.0.1"]);
            DevCertificates.WritePem(cert, Path.Combine(_dir, name + ".pem"), Path.Combine(_dir, name + ".key"));
            return name;
        }
        var good = new X509Ca(ca);
        var bad = new X509Ca(otherCa);
        RemoteTlsSettings Tls(string name) => new(true, Path.Combine(_dir, "ca.pem"), Path.Combine(_dir, name + ".pem"),
            Path.Combine(_dir, name + ".key"), "CN=forge-coordinator");

        var ports = Enumerable.Range(0, 3).Select(_ => InProcessCoordinator.FreePort()).ToArray();
        var seed = $"akka.ssl.tcp://{InProcessCoordinator.SystemName}@127.0.0.1:{ports[0]}";
        const string tlsOn = "akka.remote.dot-netty.tcp { enable-ssl = on, applied-adapters = [] }";
        var a = InProcessCoordinator.Start(ports[0], "us-east-1", Regions, seed, _quorum, tlsOn, Tls(Issue(good, "a")).CreateSetup());
        _nodes.Add(a);
        var b = InProcessCoordinator.Start(ports[1], "us-west-2", Regions, seed, _quorum, tlsOn, Tls(Issue(good, "b")).CreateSetup());
        _nodes.Add(b);
        await Until(() => a.UpMembers().Length == 2 && b.UpMembers().Length == 2, TimeSpan.FromSeconds(20), "two TLS members up");
        Assert.Equal("akka.ssl.tcp", a.Address.Protocol);

        // Same CA file, but its own certificate is signed by another CA: the seed refuses the handshake (and it refuses the seed's).
        var rogue = InProcessCoordinator.Start(ports[2], "eu-west-1", Regions, seed, _quorum, tlsOn, Tls(Issue(bad, "rogue")).CreateSetup());
        _nodes.Add(rogue);
        await Task.Delay(TimeSpan.FromSeconds(6)); // several join retries (retry-unsuccessful-join-after = 500ms)
        Assert.Equal(2, a.Cluster.State.Members.Count);
        Assert.DoesNotContain(rogue.Cluster.State.Members, m => m.Status == MemberStatus.Up);
    }

    private sealed record X509Ca(System.Security.Cryptography.X509Certificates.X509Certificate2 Cert);

    private sealed class EventCollector<T> : ReceiveActor
    {
        private ImmutableArray<T> _seen = [];

        public EventCollector()
        {
            Receive<T>(e => _seen = _seen.Add(e));
            Receive<string>(_ => Sender.Tell(_seen));
        }
    }
}
