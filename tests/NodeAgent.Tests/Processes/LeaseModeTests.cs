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

        var agent = leader.Pid("agent")!.Value;
        Assert.Equal(0, LinuxNative.Kill(agent, 15 /* SIGTERM */));
        await follower.WaitAsync(() => On(follower), Wait, "the follower to take over");
        Assert.False(On(leader));
        // the leader's forging ended with its "off" line, or (a disable not verified within the rig's 500 ms bound under
        // load) with the fence's kill of its node, which writes none
        await leader.WaitAsync(() => leader.ForgeLogLines.Events("off").Any() || ForgeLog.KilledAt(leader.Output) is not null,
            Wait, "the leader's off line in its forge log, or its fence's kill of the node");

        var intervals = ForgeLog.OnIntervals(leader.ForgeLogLines, ForgeLog.KilledAt(leader.Output)).Select(i => (i.From, i.To, Node: "leader"))
            .Concat(ForgeLog.OnIntervals(follower.ForgeLogLines).Select(i => (i.From, i.To, Node: "follower")))
            .OrderBy(i => i.From).ToList();
        for (var i = 1; i < intervals.Count; i++)
            Assert.True(intervals[i - 1].To <= intervals[i].From,
                $"{intervals[i - 1].Node} on until {intervals[i - 1].To}, {intervals[i].Node} on from {intervals[i].From}");
        var slots = leader.ForgeLogLines.Concat(follower.ForgeLogLines).Where(l => l.Slot is not null).Select(l => l.Slot).ToList();
        Assert.Equal(slots.Count, slots.Distinct().Count());
    }

    /// <summary>Answers every registration (the node entities' part, without Sharding).</summary>
    private sealed class Registrar : ReceiveActor
    {
        public Registrar() => Receive<RegisterAgent>(r => Sender.Tell(new AgentRegistered(r.Node, r.Incarnation, "test-coordinator")));
    }

    [Fact]
    public async Task Lease_leader_takes_a_standalone_term_on_the_quorum_that_holds_another_region_off()
    {
        var grants = new GrantSettings(["a", "b", "c"], TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(10), TimeSpan.FromMilliseconds(200),
            100_000, TimeSpan.FromMilliseconds(20), TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1), "/unused");
        using var system = ActorSystem.Create("quorum");
        var replicas = new Dictionary<string, IActorRef>();
        ReplicaDirectory dir = region => replicas[region];
        foreach (var region in grants.Regions)
        {
            var store = new MemoryReplicaStore();
            store.Save(ReplicaState.Fresh with { Recovering = false }, TimeSpan.Zero);
            replicas[region] = system.ActorOf(GrantReplicaActor.Props(grants, region, store, dir, StopwatchClock.Instance), $"replica-{region}");
        }
        var gatewayProposer = system.ActorOf(GrantProposerActor.Props(grants, "coord-r1", dir));
        var arbiterProposer = system.ActorOf(GrantProposerActor.Props(grants, "coord-r2", dir));
        var bridge = new AgentSessionBridge(system, system.ActorOf(Props.Create(() => new Registrar())),
            system.ActorOf(RenewalBatcherActor.Props(grants, dir)), gatewayProposer);
        var pki = DevCertificates.CreateSet(_dir["pki"]);
        await using var gateway = new AgentGatewayServer(new IPEndPoint(IPAddress.Loopback, 0), pki.Server, bridge);
        gateway.Start();

        var leader = Start("pod-0", new Dictionary<string, string>
        {
            ["COORDINATORS"] = $"127.0.0.1:{gateway.LocalEndPoint.Port}",
            ["TLS_CA_CERT"] = pki.CaCert,
            ["TLS_CERT"] = pki.ClientCert,
            ["TLS_KEY"] = pki.ClientKey,
        });
        await leader.WaitAsync(() => On(leader), Wait, "the Lease leader to forge");
        var log = string.Join('\n', leader.Output);
        Assert.Contains("standalone term granted on the grant quorum", log);
        // its confirmations carry the quorum's regions besides the Lease (both were needed)
        Assert.Matches("grant confirmed.*by [abc],[abc],lease", log);
        Assert.Contains("\"footing\":\"quorum\"", (await leader.HttpAsync("/startup-status")).Body);

        // another region's proposal (the arbiter's, through another coordinator) is held off while it forges
        var other = new NodeId("c2", "pod-0");
        var otherInc = Guid.NewGuid();
        var held = Assert.IsType<TermNotGranted>(await arbiterProposer.Ask<IGrantProposalOutcome>(
            new ProposeTerm("pool1test", other, otherInc, grants.Ttl, TermId.None, null, "priority"), TimeSpan.FromSeconds(5)));
        Assert.True(held.HeldFor > TimeSpan.Zero, held.ToString());
        Assert.True(On(leader));

        // the leader stops (SIGTERM: verified off, then released): the other region gets its term
        Assert.Equal(0, LinuxNative.Kill(leader.Pid("agent")!.Value, 15 /* SIGTERM */));
        await leader.WaitAsync(() => leader.ForgeLogLines.Events("off").Any() || ForgeLog.KilledAt(leader.Output) is not null,
            Wait, "the leader's off line in its forge log, or its fence's kill of the node");
        var deadline = DateTime.UtcNow + Wait;
        IGrantProposalOutcome outcome;
        while (true)
        {
            // a fresh proposal per round (the quorum decides when the standalone term is over), up to the deadline
            outcome = await arbiterProposer.Ask<IGrantProposalOutcome>(
                new ProposeTerm("pool1test", other, otherInc, grants.Ttl, held.HighestSeen, null, "priority"), TimeSpan.FromSeconds(5));
            if (outcome is TermGranted || DateTime.UtcNow > deadline) break;
            await Task.Delay(200);
        }
        Assert.IsType<TermGranted>(outcome);
        Assert.False(On(leader));
    }
}
