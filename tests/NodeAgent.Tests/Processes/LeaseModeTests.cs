using System.Net;
using Akka.Actor;
using Forge.Grants;
using Forge.KubeApiEmulator;
using Forge.Native;
using Forge.NodeAgent.Tests.Infrastructure;
using Forge.Nodes;
using Forge.Protocol;
using Forge.Transport;
using Xunit;

namespace Forge.NodeAgent.Tests.Processes;

/// <summary>
/// Single-cluster mode (ENABLE_CLUSTER_MANAGEMENT=false): two agents of one region contend for one
/// coordination.k8s.io/v1 Lease on the Kubernetes API emulator; each drives its own fence and stand-in. The forge logs
/// must never show both nodes on at once; a SIGTERM of the leader hands the Lease over. With COORDINATORS configured,
/// the leader first takes a standalone term on a real grant quorum (three replicas, the coordinators' agent gateway),
/// which holds another region's proposal off while it forges.
/// </summary>
[Collection(ProcessCollection.Name)]
public sealed class LeaseModeTests : IAsyncLifetime
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(60);
    private readonly TempDir _dir = new("forge-agent-lease");
    private KubeApiEmulatorServer _api = null!;
    private readonly List<AgentRig> _rigs = [];

    public async Task InitializeAsync()
    {
        _api = new KubeApiEmulatorServer(new EmulatorOptions());
        await _api.StartAsync();
    }

    public async Task DisposeAsync()
    {
        foreach (var rig in _rigs) await rig.DisposeAsync();
        await _api.DisposeAsync();
        _dir.Dispose();
    }

    private AgentRig Start(string pod, IReadOnlyDictionary<string, string>? extra = null)
    {
        var env = new Dictionary<string, string>
        {
            ["ENABLE_CLUSTER_MANAGEMENT"] = "false",
            ["KUBE_API_URL"] = _api.BaseUrl.ToString().TrimEnd('/'),
            ["NAMESPACE"] = "cardano",
            ["LEASE_DURATION"] = "3",
            ["LEASE_RENEW_DEADLINE"] = "2",
            ["LEASE_RETRY_PERIOD"] = "0.3",
            ["STANDALONE_GRANT_TTL"] = "1",
        };
        foreach (var (k, v) in extra ?? new Dictionary<string, string>()) env[k] = v;
        var rig = AgentRig.Start(_dir, null, null, pod, env: env);
        _rigs.Add(rig);
        return rig;
    }

    private static bool On(AgentRig rig) => rig.FenceStatus().GetValueOrDefault("state") == "on";

    [Fact]
    public async Task Two_agents_contending_for_a_lease_never_forge_at_once_and_sigterm_hands_over()
    {
        var a = Start("pod-0");
        var b = Start("pod-1");
        await a.WaitAsync(() => On(a) || On(b), Wait, "one of the two to forge");
        var (leader, follower) = On(a) ? (a, b) : (b, a);
        var metrics = await leader.WaitMetricsAsync("cardano_leader_status 1", Wait);
        Assert.Contains("cardano_standalone_mode 1", metrics);
        await follower.WaitMetricsAsync("cardano_leader_status 0", Wait);
        Assert.Contains("\"footing\":\"lease-only\"", (await leader.HttpAsync("/startup-status")).Body);
        Assert.Contains("\"footing\":\"none\"", (await follower.HttpAsync("/startup-status")).Body);

        // a while of steady state: the follower stays off while the leader renews
        await Task.Delay(TimeSpan.FromSeconds(2));
        Assert.True(On(leader));
        Assert.Empty(follower.ForgeLogLines.Events("on"));

        await HandOverAndCheckNoOverlapAsync(leader, follower);
    }

    /// <summary>SIGTERM of the leader's agent: the follower takes over, and the two forge logs never overlap.</summary>
    private static async Task HandOverAndCheckNoOverlapAsync(AgentRig leader, AgentRig follower)
    {
        Assert.Equal(0, LinuxNative.Kill(leader.Pid("agent")!.Value, 15 /* SIGTERM */));
        await follower.WaitAsync(() => On(follower), Wait, "the follower to take over");
        Assert.False(On(leader));
        await WaitStoppedAsync(leader);

        var intervals = ForgeLog.OnIntervals(leader.ForgeLogLines, ForgeLog.KilledAt(leader.Output)).Select(i => (i.From, i.To, Node: "leader"))
            .Concat(ForgeLog.OnIntervals(follower.ForgeLogLines).Select(i => (i.From, i.To, Node: "follower")))
            .OrderBy(i => i.From).ToList();
        for (var i = 1; i < intervals.Count; i++)
            Assert.True(intervals[i - 1].To <= intervals[i].From,
                $"{intervals[i - 1].Node} on until {intervals[i - 1].To}, {intervals[i].Node} on from {intervals[i].From}");
        var slots = leader.ForgeLogLines.Concat(follower.ForgeLogLines).Where(l => l.Slot is not null).Select(l => l.Slot).ToList();
        Assert.Equal(slots.Count, slots.Distinct().Count());
    }

    /// <summary>The node's forging ended with its "off" line, or (a disable not verified within the rig's 500 ms bound
    /// under load) with the fence's kill of the node, which writes none.</summary>
    private static Task WaitStoppedAsync(AgentRig rig) =>
        rig.WaitAsync(() => rig.ForgeLogLines.Events("off").Any() || ForgeLog.KilledAt(rig.Output) is not null,
            Wait, "the off line in its forge log, or its fence's kill of the node");

    [Fact]
    public async Task A_lease_only_leader_moves_onto_a_quorum_that_appears_without_stopping_and_the_quorum_then_holds_others_off()
    {
        var pki = DevCertificates.CreateSet(_dir["pki"]);
        var port = Binaries.FreePort(); // nothing listens there yet: the grant quorum is unreachable
        var env = QuorumEnv(pki, port, ("STANDALONE_QUORUM_TIMEOUT", "1"), ("STANDALONE_QUORUM_REPROBE", "1"));
        var a = Start("pod-0", env);
        var b = Start("pod-1", env);
        await a.WaitAsync(() => On(a) || On(b), Wait, "one of the two to forge on the Lease alone");
        var (leader, follower) = On(a) ? (a, b) : (b, a);
        Assert.Contains("\"footing\":\"lease-only\"", (await leader.HttpAsync("/startup-status")).Body);
        Assert.Contains("alarm: standalone-lease-only", string.Join('\n', leader.Output));

        await using var quorum = new Quorum(pki, port);
        await leader.WaitAsync(() => leader.Output.Any(l => l.Contains("on the grant quorum footing now", StringComparison.Ordinal)),
            Wait, "the leader to move onto the quorum footing");
        Assert.Contains("\"footing\":\"quorum\"", (await leader.HttpAsync("/startup-status")).Body);
        // the node kept forging through the move (one on, no off), and the quorum now holds another region off (the
        // first proposal learns the term counter the leader's terms reached, the second is above it and still held off)
        var otherInc = Guid.NewGuid();
        var seen = Assert.IsType<TermNotGranted>(await quorum.ProposeOtherRegionAsync(otherInc, TermId.None)).HighestSeen;
        var held = Assert.IsType<TermNotGranted>(await quorum.ProposeOtherRegionAsync(otherInc, seen));
        Assert.True(held.HeldFor > TimeSpan.Zero, held.ToString());
        Assert.True(On(leader));
        Assert.Single(leader.ForgeLogLines.Events("on"));
        Assert.Empty(leader.ForgeLogLines.Events("off"));
        Assert.Empty(follower.ForgeLogLines.Events("on"));

        // within the region the Lease still decides: the follower takes over on the quorum footing, never overlapping
        await HandOverAndCheckNoOverlapAsync(leader, follower);
        // (its link may come up after it won the Lease: then it starts Lease-only and moves over on a re-probe)
        await follower.WaitAsync(() => follower.Output.Any(l => l.Contains("standalone term granted on the grant quorum: every", StringComparison.Ordinal)
                || l.Contains("on the grant quorum footing now", StringComparison.Ordinal)),
            Wait, "the follower's own standalone term on the quorum");
    }

    /// <summary>Answers every registration (the node entities' part, without Sharding).</summary>
    private sealed class Registrar : ReceiveActor
    {
        public Registrar() => Receive<RegisterAgent>(r => Sender.Tell(new AgentRegistered(r.Node, r.Incarnation, "test-coordinator")));
    }

    /// <summary>A real three-replica grant quorum behind the coordinators' agent gateway (on <paramref name="port"/>, 0 =
    /// any), and a second proposer standing for another region's arbiter.</summary>
    private sealed class Quorum : IAsyncDisposable
    {
        public static readonly GrantSettings Grants = new(["a", "b", "c"], TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(10),
            TimeSpan.FromMilliseconds(200), 100_000, TimeSpan.FromMilliseconds(20), TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1), "/unused");

        private readonly ActorSystem _system = ActorSystem.Create("quorum");
        private readonly AgentGatewayServer _gateway;

        public Quorum(DevPkiPaths pki, int port)
        {
            var replicas = new Dictionary<string, IActorRef>();
            ReplicaDirectory dir = region => replicas[region];
            foreach (var region in Grants.Regions)
            {
                var store = new MemoryReplicaStore();
                store.Save(ReplicaState.Fresh with { Recovering = false }, TimeSpan.Zero);
                replicas[region] = _system.ActorOf(GrantReplicaActor.Props(Grants, region, store, dir, StopwatchClock.Instance), $"replica-{region}");
            }
            var gatewayProposer = _system.ActorOf(GrantProposerActor.Props(Grants, "coord-r1", dir));
            ArbiterProposer = _system.ActorOf(GrantProposerActor.Props(Grants, "coord-r2", dir));
            var bridge = new AgentSessionBridge(_system, _system.ActorOf(Props.Create(() => new Registrar())),
                _system.ActorOf(RenewalBatcherActor.Props(Grants, dir)), gatewayProposer);
            _gateway = new AgentGatewayServer(new IPEndPoint(IPAddress.Loopback, port), pki.Server, bridge);
            _gateway.Start();
        }

        public IActorRef ArbiterProposer { get; }
        public int Port => _gateway.LocalEndPoint.Port;

        /// <summary>Another region's proposal through another coordinator (the arbiter's), for a node of cluster c2.</summary>
        public Task<IGrantProposalOutcome> ProposeOtherRegionAsync(Guid incarnation, TermId seen) =>
            ArbiterProposer.Ask<IGrantProposalOutcome>(new ProposeTerm("pool1test", Other, incarnation, Grants.Ttl, seen, null, "priority"),
                TimeSpan.FromSeconds(5));

        public static readonly NodeId Other = new("c2", "pod-0");

        public async ValueTask DisposeAsync()
        {
            await _gateway.DisposeAsync();
            await _system.Terminate();
        }
    }

    private static Dictionary<string, string> QuorumEnv(DevPkiPaths pki, int port, params (string Key, string Value)[] more)
    {
        var env = new Dictionary<string, string>
        {
            ["COORDINATORS"] = $"127.0.0.1:{port}",
            ["TLS_CA_CERT"] = pki.CaCert,
            ["TLS_CERT"] = pki.ClientCert,
            ["TLS_KEY"] = pki.ClientKey,
        };
        foreach (var (k, v) in more) env[k] = v;
        return env;
    }

    [Fact]
    public async Task Lease_leader_takes_a_standalone_term_on_the_quorum_that_holds_another_region_off()
    {
        var pki = DevCertificates.CreateSet(_dir["pki"]);
        await using var quorum = new Quorum(pki, 0);
        // the quorum is there from the start: give link, handshake and registration time even at load 50 (the default
        // 5 s ran out there, and the agent rightly went Lease-only)
        var leader = Start("pod-0", QuorumEnv(pki, quorum.Port, ("STANDALONE_QUORUM_TIMEOUT", "30")));
        await leader.WaitAsync(() => On(leader), Wait, "the Lease leader to forge");
        var log = string.Join('\n', leader.Output);
        Assert.Contains("standalone term granted on the grant quorum", log);
        // its confirmations carry the quorum's regions besides the Lease (both were needed)
        Assert.Matches("grant confirmed.*by [abc],[abc],lease", log);
        Assert.Contains("\"footing\":\"quorum\"", (await leader.HttpAsync("/startup-status")).Body);

        // another region's proposal (the arbiter's, through another coordinator) is held off while it forges
        var otherInc = Guid.NewGuid();
        var held = Assert.IsType<TermNotGranted>(await quorum.ProposeOtherRegionAsync(otherInc, TermId.None));
        Assert.True(held.HeldFor > TimeSpan.Zero, held.ToString());
        Assert.True(On(leader));

        // the leader stops (SIGTERM: verified off, then released): the other region gets its term
        Assert.Equal(0, LinuxNative.Kill(leader.Pid("agent")!.Value, 15 /* SIGTERM */));
        await WaitStoppedAsync(leader);
        var deadline = DateTime.UtcNow + Wait;
        IGrantProposalOutcome outcome;
        while (true)
        {
            // a fresh proposal per round (the quorum decides when the standalone term is over), up to the deadline
            outcome = await quorum.ProposeOtherRegionAsync(otherInc, held.HighestSeen);
            if (outcome is TermGranted || DateTime.UtcNow > deadline) break;
            await Task.Delay(200);
        }
        Assert.IsType<TermGranted>(outcome);
        Assert.False(On(leader));
    }
}
