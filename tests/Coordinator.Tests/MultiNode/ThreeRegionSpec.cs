using System.Collections.Immutable;
using System.Diagnostics;
using Akka.Actor;
using Forge.Arbiter;
using Forge.Protocol;
using Xunit;
using Xunit.Abstractions;
using static Forge.Coordinator.Tests.Fixtures;
using static Forge.Coordinator.Tests.MultiNode.MultiNodeWait;

namespace Forge.Coordinator.Tests.MultiNode;

/// <summary>
/// Three coordinators (regions eu-west-1, us-east-1, us-west-2) as ActorSystems in this process, with a fast failure
/// detector; partitions through the throttler adapter's blackhole, crashes by terminating a system without leaving.
/// A fake agent per region; the fake quorum accepts a proposal only from a side that reaches a majority of regions.
/// Every wait is an await with a deadline.
/// </summary>
[Collection("multi-node")]
public sealed class ThreeRegionSpec(ITestOutputHelper output) : IAsyncLifetime
{
    private const string PoolId = "pool1";
    private static readonly NodeId EastNode = NodeId.Parse("east/bp-0");
    private static readonly NodeId WestNode = NodeId.Parse("west/bp-0");
    private static readonly NodeId EuNode = NodeId.Parse("eu/bp-0");

    private readonly FakeQuorum _quorum = new(Regions);
    private readonly List<InProcessCoordinator> _nodes = [];
    private InProcessCoordinator East => _nodes[0];
    private InProcessCoordinator West => _nodes[1];
    private InProcessCoordinator Eu => _nodes[2];
    private readonly Stopwatch _clock = Stopwatch.StartNew();

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var o in _quorum.Outcomes) Log($"quorum: {o}");
        foreach (var n in _nodes.Where(n => !n.Terminated))
        {
            try
            {
                var st = await StateVia(n);
                Log($"state via {n.Region}: target={st.Target} holder={st.Holder} term={st.Term} phase={st.Phase} transition={st.Transition}");
                foreach (var v in st.Nodes) Log($"   node {v.Node} alive={v.Alive} connected={v.Connected} held={v.HeldTerm} refused={v.Refused}");
                foreach (var h in st.History) Log($"   history {h}");
            }
            catch (Exception e)
            {
                Log($"state via {n.Region}: {e.GetType().Name}");
            }
        }
        foreach (var n in _nodes) await n.System.Terminate().WaitAsync(TimeSpan.FromSeconds(10)).ContinueWith(_ => { });
    }

    private void Log(string text) => output.WriteLine($"[{_clock.Elapsed.TotalSeconds,6:0.00}s] {text}");

    /// <summary>Forms the cluster (east first: it is the oldest, so it hosts the arbiter), writes the specs, starts
    /// one agent per region, and waits for the first grant.</summary>
    private async Task FormAsync(int eastPriority, int westPriority, int euPriority)
    {
        await ThreeRegionCluster.FormAsync(_nodes, _quorum, "", PoolId, eastPriority, westPriority, euPriority);
        Log("cluster formed, specs replicated");

        // Agents start best first, each once the previous is visible to the arbiter, so the first grant goes to the
        // best node (a better node appearing later would be a failback, which waits on purpose).
        var agents = new[]
        {
            (East, EastNode, "us-east-1", eastPriority),
            (West, WestNode, "us-west-2", westPriority),
            (Eu, EuNode, "eu-west-1", euPriority),
        }.OrderBy(a => a.Item4);
        foreach (var (coordinator, node, region, _) in agents)
        {
            coordinator.System.ActorOf(FakeAgent.Props(Register(node, Guid.NewGuid(), PoolId, region), coordinator.Nodes), "agent-" + node.Cluster);
            await Until(async () => (await StateVia(East)).Nodes.Any(n => n.Node == node && n.Alive), TimeSpan.FromSeconds(10), $"{node} visible");
        }
        await Until(() => _quorum.LastAccepted is not null, TimeSpan.FromSeconds(15), "first grant");
        Log($"first grant: {_quorum.LastAccepted}");
    }

    private async Task<ImmutableArray<InProcessCoordinator>> ArbiterHostsAsync()
    {
        var hosts = new List<InProcessCoordinator>();
        foreach (var n in _nodes) if (await n.HostsArbiterAsync()) hosts.Add(n);
        return [.. hosts];
    }

    private async Task<PoolState> StateVia(InProcessCoordinator n) =>
        await n.Arbiter.Ask<PoolState>(new GetPoolState(PoolId), TimeSpan.FromSeconds(2));

    /// <summary>S1 as far as the coordinators go: the accepted terms never go backwards and each names one holder;
    /// nothing is accepted from a side without a majority.</summary>
    private void AssertQuorumSane()
    {
        var accepted = _quorum.Outcomes.Where(o => o.Accepted).ToList();
        for (var i = 1; i < accepted.Count; i++) Assert.True(accepted[i].Term > accepted[i - 1].Term);
    }

    [Fact]
    public async Task One_region_cut_off_from_two_downs_itself_and_the_majority_moves_forging()
    {
        await FormAsync(eastPriority: 1, westPriority: 2, euPriority: 3);
        Assert.Equal(EastNode, _quorum.LastAccepted!.Holder);
        Assert.Equal(East, (await ArbiterHostsAsync()).Single());

        var cutAt = _quorum.Now;
        await East.BlackholeAsync(West);
        await East.BlackholeAsync(Eu);
        _quorum.Isolate("us-east-1");
        Log("us-east-1 cut off");

        await Until(() => East.Terminated, TimeSpan.FromSeconds(20), "the minority region downs itself");
        Log("us-east-1 downed itself");
        await Until(() => West.UpMembers().SequenceEqual(["eu-west-1", "us-west-2"]) && Eu.UpMembers().SequenceEqual(["eu-west-1", "us-west-2"]),
            TimeSpan.FromSeconds(20), "the majority removes us-east-1");
        await Until(async () => (await ArbiterHostsAsync()).Length == 1, TimeSpan.FromSeconds(20), "arbiter moved");
        var host = (await ArbiterHostsAsync()).Single();
        Log($"arbiter on {host.Region}");
        Assert.NotEqual("us-east-1", host.Region);

        await Until(() => _quorum.LastAccepted!.Holder == WestNode, TimeSpan.FromSeconds(20), "forging moved to west");
        Log($"granted to west: {_quorum.LastAccepted}");
        Assert.DoesNotContain(_quorum.Outcomes, o => o.At > cutAt && o.Accepted && o.ProposerRegion == "us-east-1");
        var state = await StateVia(Eu);
        Assert.Equal(WestNode, state.Holder);
        AssertQuorumSane();
    }

    [Fact]
    public async Task One_vs_one_vs_one_downs_every_side_and_grants_nothing()
    {
        await FormAsync(eastPriority: 1, westPriority: 2, euPriority: 3);
        var cutAt = _quorum.Now;
        await East.BlackholeAsync(West);
        await East.BlackholeAsync(Eu);
        await West.BlackholeAsync(Eu);
        _quorum.Isolate("us-east-1");
        _quorum.Isolate("us-west-2");
        Log("all three regions cut from each other");
        await Until(() => _nodes.All(n => n.Terminated), TimeSpan.FromSeconds(25), "every side downs itself");
        Log("all sides downed themselves");
        Assert.DoesNotContain(_quorum.Outcomes, o => o.At > cutAt && o.Accepted);
        AssertQuorumSane();
    }

    [Fact]
    public async Task Arbiter_host_crash_moves_the_singleton_and_keeps_the_surviving_forger()
    {
        await FormAsync(eastPriority: 3, westPriority: 1, euPriority: 2);
        var first = _quorum.LastAccepted!;
        Assert.Equal(WestNode, first.Holder);
        Assert.Equal(East, (await ArbiterHostsAsync()).Single());
        // The holder's report must carry its term before the crash (that is how a new arbiter learns it).
        await Until(async () => (await StateVia(West)).Nodes.Any(n => n.Node == WestNode && n.HeldTerm == first.Term),
            TimeSpan.FromSeconds(10), "west reports its term");

        var crashAt = Stopwatch.StartNew();
        await East.CrashAsync();
        _quorum.Isolate("us-east-1");
        Log("arbiter host (us-east-1) crashed");
        await Until(async () => (await ArbiterHostsAsync()).Length == 1, TimeSpan.FromSeconds(25), "arbiter moved");
        var moved = crashAt.Elapsed;
        var host = (await ArbiterHostsAsync()).Single();
        Log($"arbiter moved to {host.Region} after {moved.TotalSeconds:0.0}s");

        // The new arbiter learns west holds the term and keeps it: no new term, no forging gap.
        await Until(async () => (await StateVia(West)).Holder == WestNode, TimeSpan.FromSeconds(10), "new arbiter knows the holder");
        await Task.Delay(TimeSpan.FromSeconds(2)); // several decide intervals after the settle period
        Assert.Equal(first, _quorum.LastAccepted);
        var state = await StateVia(Eu);
        Assert.Equal(WestNode, state.Holder);
        Assert.Equal(first.Term, state.Term);
        AssertQuorumSane();
    }

    [Fact]
    public async Task Forgers_region_crash_while_it_hosts_the_arbiter_grants_the_next_best_once()
    {
        await FormAsync(eastPriority: 1, westPriority: 2, euPriority: 3);
        var first = _quorum.LastAccepted!;
        Assert.Equal(EastNode, first.Holder);
        Assert.Equal(East, (await ArbiterHostsAsync()).Single());

        var crashAt = Stopwatch.StartNew();
        await East.CrashAsync();
        _quorum.Isolate("us-east-1");
        Log("forger's region (also the arbiter host) crashed");
        await Until(() => _quorum.LastAccepted!.Holder == WestNode, TimeSpan.FromSeconds(30), "west granted");
        Log($"west granted after {crashAt.Elapsed.TotalSeconds:0.0}s (singleton move + settle + proposal)");
        var host = (await ArbiterHostsAsync()).Single();
        Assert.NotEqual("us-east-1", host.Region);
        await Task.Delay(TimeSpan.FromSeconds(1));
        Assert.Single(_quorum.Outcomes, o => o.Accepted && o.Holder == WestNode);
        AssertQuorumSane();
    }
}

[CollectionDefinition("multi-node", DisableParallelization = true)]
public sealed class MultiNodeCollection;
