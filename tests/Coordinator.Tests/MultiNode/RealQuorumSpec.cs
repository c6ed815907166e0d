using Akka.Actor;
using Forge.Arbiter;
using Forge.Grants;
using Forge.Protocol;
using Xunit;
using Xunit.Abstractions;
using static Forge.Coordinator.Tests.Fixtures;
using static Forge.Coordinator.Tests.MultiNode.MultiNodeWait;

namespace Forge.Coordinator.Tests.MultiNode;

/// <summary>
/// Three coordinators as ActorSystems in this process on the <b>real grant module</b>: one in-memory replica per
/// region, the arbiter proposing through the real proposer, agents renewing through their own coordinator's renewal
/// batcher straight to the replicas, the failover watch. Partitions cut Akka remoting (throttler blackhole), so they cut
/// the replicas too. Each agent forges only on its <see cref="GrantPermission"/>; the shared
/// <see cref="PermissionLog"/> (one monotonic clock) must never show two nodes permitted at once.
/// TTL 2 s, margin 200 ms (drift bound 10 %); the no-gap test uses the production TTL (5 s, margin 500 ms), since
/// under a heavily loaded test machine a 2 s TTL can lapse between two slow renewal rounds.
/// </summary>
[Collection("multi-node")]
public sealed class RealQuorumSpec(ITestOutputHelper output) : IAsyncLifetime
{
    private const string PoolId = "pool1";
    private TimeSpan Ttl { get; set; } = TimeSpan.FromSeconds(2);
    private static readonly NodeId EastNode = NodeId.Parse("east/bp-0");
    private static readonly NodeId WestNode = NodeId.Parse("west/bp-0");
    private static readonly NodeId EuNode = NodeId.Parse("eu/bp-0");

    private string GrantConfig => $$"""
        forge.grants { regions = ["eu-west-1", "us-east-1", "us-west-2"], ttl = {{Ttl.TotalMilliseconds}}ms, margin = {{Ttl.TotalMilliseconds / 10}}ms, round-timeout = 1s, failover-proposal-timeout = 500ms }
        forge.arbiter.grant-ttl = {{Ttl.TotalMilliseconds}}ms
        """;

    private readonly PermissionLog _permissions = new();
    private readonly List<InProcessCoordinator> _nodes = [];
    private InProcessCoordinator East => _nodes[0];
    private InProcessCoordinator West => _nodes[1];
    private InProcessCoordinator Eu => _nodes[2];

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var i in _permissions.Intervals) Log($"permitted: {i.Node} {i.From.TotalSeconds:0.00}s – {i.Until.TotalSeconds:0.00}s");
        foreach (var n in _nodes) await n.System.Terminate().WaitAsync(TimeSpan.FromSeconds(10)).ContinueWith(_ => { });
    }

    private void Log(string text) => output.WriteLine($"[{_permissions.Now.TotalSeconds,6:0.00}s] {text}");

    private async Task FormAsync(int eastPriority, int westPriority, int euPriority)
    {
        await ThreeRegionCluster.FormAsync(_nodes, quorum: null, GrantConfig, PoolId, eastPriority, westPriority, euPriority);

        var timing = GrantSettings.FromConfig(East.System.Settings.Config).Timing;
        foreach (var (coordinator, node, region, _) in new[]
                 {
                     (East, EastNode, "us-east-1", eastPriority), (West, WestNode, "us-west-2", westPriority), (Eu, EuNode, "eu-west-1", euPriority),
                 }.OrderBy(a => a.Item4))
        {
            coordinator.System.ActorOf(RenewingAgent.Props(Register(node, Guid.NewGuid(), PoolId, region), coordinator.Nodes,
                coordinator.Renewals, timing, _permissions), "agent-" + node.Cluster);
            await Until(async () => (await StateVia(East)).Nodes.Any(n => n.Node == node && n.Alive), TimeSpan.FromSeconds(10), $"{node} visible");
        }
        await Until(() => _permissions.Intervals.Count > 0, TimeSpan.FromSeconds(20), "a first node permitted to forge");
        Log($"first forger: {_permissions.Intervals[0].Node}");
    }

    private async Task<PoolState> StateVia(InProcessCoordinator n) =>
        await n.Arbiter.Ask<PoolState>(new GetPoolState(PoolId), TimeSpan.FromSeconds(2));

    private void AssertNoOverlap()
    {
        var overlaps = _permissions.Overlaps();
        Assert.True(overlaps.Count == 0, $"two nodes permitted at once: {string.Join("; ", overlaps)}");
    }

    [Fact]
    public async Task The_forgers_region_cut_off_with_the_arbiter_in_it_moves_forging_to_the_majority_without_overlap()
    {
        await FormAsync(eastPriority: 1, westPriority: 2, euPriority: 3);
        Assert.Equal(EastNode, _permissions.Intervals[0].Node);

        var cutAt = _permissions.Now;
        await East.BlackholeAsync(West);
        await East.BlackholeAsync(Eu);
        Log("us-east-1 (forger and arbiter host) cut off from both others, replicas included");

        await Until(() => _permissions.Intervals.Any(i => i.Node == WestNode), TimeSpan.FromSeconds(30), "west permitted to forge");
        var westFrom = _permissions.Intervals.First(i => i.Node == WestNode).From;
        var eastUntil = _permissions.Intervals.Where(i => i.Node == EastNode).Max(i => i.Until);
        Log($"east's permission ended {(eastUntil - cutAt).TotalSeconds:0.00}s after the cut; west permitted {(westFrom - cutAt).TotalSeconds:0.00}s after it");
        Assert.True(eastUntil <= cutAt + Ttl, "the cut-off forger's permission outlived one TTL from the cut");
        AssertNoOverlap();
    }

    [Fact]
    public async Task The_arbiter_hosts_crash_leaves_the_surviving_forger_permitted_without_a_gap()
    {
        Ttl = TimeSpan.FromSeconds(5);
        await FormAsync(eastPriority: 3, westPriority: 1, euPriority: 2);
        Assert.Equal(WestNode, _permissions.Intervals[0].Node);
        await Until(() => _permissions.Now > _permissions.Intervals[0].From + Ttl, Ttl + TimeSpan.FromSeconds(5), "west renewing for a TTL");

        var crashAt = _permissions.Now;
        await East.CrashAsync();
        Log("arbiter host (us-east-1) crashed");
        // renewals go from west's agent to west's batcher to the replicas (2 of 3 regions left): not through the singleton
        var horizon = crashAt + TimeSpan.FromSeconds(8);
        await Until(() => _permissions.Now > horizon, TimeSpan.FromSeconds(12), "8 s after the crash");
        Assert.True(_permissions.Covers(WestNode, crashAt, horizon),
            $"west's permission had a gap after the arbiter host crashed: {string.Join("; ", _permissions.Intervals)}");
        AssertNoOverlap();
    }

    [Fact]
    public async Task One_vs_one_vs_one_lets_every_permission_lapse_and_grants_nothing_new()
    {
        await FormAsync(eastPriority: 1, westPriority: 2, euPriority: 3);
        var cutAt = _permissions.Now;
        await East.BlackholeAsync(West);
        await East.BlackholeAsync(Eu);
        await West.BlackholeAsync(Eu);
        Log("all three regions cut from each other");
        await Until(() => _permissions.Now > cutAt + Ttl + Ttl, TimeSpan.FromSeconds(10), "two TTLs after the cut");
        Assert.DoesNotContain(_permissions.Intervals, i => i.Until > cutAt + Ttl);
        Assert.DoesNotContain(_permissions.Intervals, i => i.From > cutAt);
        AssertNoOverlap();
    }
}
