using System.Collections.Immutable;
using CsCheck;
using Forge.Arbiter;
using Forge.Decider;
using Forge.Nodes;
using Forge.Protocol;
using Forge.Specs;
using Xunit;
using Xunit.Abstractions;

namespace Forge.Tests.Arbiter;

/// <summary>The successor freshness rule (<see cref="SuccessorFreshness"/>): who may succeed a holder that is not live, and
/// where a planned move away from a live one may go.</summary>
public sealed class SuccessorFreshnessTests(ITestOutputHelper output)
{
    private static readonly DateTimeOffset Wall = new(2026, 11, 27, 20, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Now = TimeSpan.FromMinutes(10);
    private static readonly NodeId Holder = new("east", "bp-0");
    private static readonly NodeId Sibling = new("east", "bp-1"); // same cluster and region as the holder
    private static readonly NodeId West = new("west", "bp-0");
    private static readonly SuccessorFreshness Rule = SuccessorFreshness.Default; // 1.5 s report age, 3 s view age

    private static NodeInput Node(NodeId id, bool alive = true, bool synced = true) => new(id, alive, synced, 100, true);

    private static ClusterInput Cluster(string name, int priority, string? state = null, params NodeInput[] nodes) =>
        new(name, Wall.AddMinutes(-priority), new ClusterSpec("r-" + name, priority, state), HealthObservation.None, [.. nodes]);

    /// <summary>The region-kill pool: east (priority 1: the lost holder and its sibling), west (priority 2).</summary>
    private static DeciderInputs Pool(NodeInput? west = null, string? westState = null) => new("pool1",
    [
        Cluster("east", 1, null, Node(Holder, alive: false), Node(Sibling)),
        Cluster("west", 2, westState, west ?? Node(West)),
    ]);

    private static Func<NodeId, SuccessorFreshness.Seen?> Seen(params (NodeId Id, bool Fresh, double AgeS)[] seen) =>
        id => seen.Where(s => s.Id == id).Select(s => (SuccessorFreshness.Seen?)new SuccessorFreshness.Seen(s.Fresh, TimeSpan.FromSeconds(s.AgeS)))
            .FirstOrDefault();

    private static bool Alive(DeciderInputs i, NodeId id) => i.Clusters.SelectMany(c => c.Nodes).Single(n => n.Id == id).Alive;

    private static NodeId? Target(DeciderInputs i) =>
        ForgeDecider.Decide(DeciderState.WithHolder(Holder), i, new DeciderNow(Wall, Now), DeciderSettings.Default).Target;

    [Fact]
    public void Without_the_rule_the_decider_picks_the_holders_sibling() =>
        Assert.Equal(Sibling, Target(Pool())); // the defect: east outranks west, and the sibling still looks alive

    [Fact]
    public void A_stale_sibling_is_passed_over_for_a_fresh_node_of_another_cluster()
    {
        var (inputs, aside) = Rule.Apply(Pool(), Holder, Seen((Sibling, false, 2.4), (West, true, 0.6)), Wall);
        Assert.Equal([Sibling], aside.AsEnumerable());
        Assert.False(Alive(inputs, Sibling));
        Assert.Equal(West, Target(inputs));
    }

    [Fact]
    public void A_fresh_sibling_stays_the_successor()
    {
        var (inputs, aside) = Rule.Apply(Pool(), Holder, Seen((Sibling, true, 0.4), (West, true, 0.6)), Wall);
        Assert.Empty(aside);
        Assert.Equal(Sibling, Target(inputs));
    }

    [Theory]
    [InlineData(6.0, 3.2, "west/bp-0", "east/bp-1")] // the sibling far staler: passed over
    [InlineData(2.0, 4.0, "east/bp-1", "west/bp-0")] // the other way round
    [InlineData(4.0, 3.2, "east/bp-1", null)] // within report-stale-after of each other: noise, priority decides
    public void When_every_candidate_is_stale_the_least_stale_are_let_in_never_nobody(double siblingAgeS, double westAgeS,
        string expected, string? setAside)
    {
        var (inputs, aside) = Rule.Apply(Pool(), Holder, Seen((Sibling, false, siblingAgeS), (West, false, westAgeS)), Wall);
        Assert.Equal(setAside is null ? [] : [NodeId.Parse(setAside)], aside.AsEnumerable());
        Assert.Equal(NodeId.Parse(expected), Target(inputs));
    }

    [Theory]
    [InlineData("Disabled", true)] // the fresh node's cluster cannot forge
    [InlineData(null, false)] // the fresh node is not synced
    public void A_fresh_node_that_cannot_forge_does_not_set_the_stale_ones_aside(string? westState, bool westSynced)
    {
        var pool = Pool(Node(West, synced: westSynced), westState);
        var (inputs, aside) = Rule.Apply(pool, Holder, Seen((Sibling, false, 2.4), (West, true, 0.6)), Wall);
        Assert.Empty(aside);
        Assert.Equal(Sibling, Target(inputs));
    }

    [Fact]
    public void A_candidate_with_nothing_seen_counts_as_stalest() =>
        Assert.Equal([Sibling], Rule.Apply(Pool(), Holder, Seen((West, false, 9)), Wall).SetAside.AsEnumerable());

    [Theory]
    [InlineData(0.2, 0.5, true)]
    [InlineData(1.49, 2.9, true)]
    [InlineData(1.5, 0.1, false)] // its entity told: the agent is silent
    [InlineData(0.2, 3.0, false)] // no view for 3 s: the entity is gone (e.g. died with its region)
    public void Fresh_means_a_recent_report_told_by_a_recent_view(double reportAgeS, double viewAgeS, bool fresh)
    {
        var view = new NodeView("pool1", West, "us-west-2", Guid.NewGuid(), true, true, true, 100, 100, VerifiedForging.Off,
            SignalOutcome.None, 40, TermId.None, new CredentialFingerprint("h", 1, 1, 40), null, "c", Wall,
            ReportAge: TimeSpan.FromSeconds(reportAgeS));
        var heardAt = Now - TimeSpan.FromSeconds(viewAgeS);
        Assert.Equal(fresh, Rule.IsFresh(view, heardAt, Now));
        Assert.Equal(TimeSpan.FromSeconds(reportAgeS + viewAgeS), SuccessorFreshness.Age(view, heardAt, Now));
    }

    // ---- the record's use of it: only while the holder is not live ----

    private static readonly ArbiterSettings Settings = new(TimeSpan.FromMilliseconds(500), TimeSpan.FromSeconds(3),
        TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(6), TimeSpan.FromSeconds(5), 20);
    private static readonly TermId Term = new(4, "arb");
    private static readonly Guid HolderRun = Guid.NewGuid();

    private static NodeView View(NodeId node, double reportAgeS, Guid? run = null) => new("pool1", node, node.Cluster == "west" ? "us-west-2" : "us-east-1",
        run ?? Guid.NewGuid(), true, true, true, 100, 100, VerifiedForging.Off, SignalOutcome.None, 40, TermId.None,
        new CredentialFingerprint("h", 1, 1, 40), null, "c", Wall, ReportAge: TimeSpan.FromSeconds(reportAgeS));

    private static SpecEntry Spec(string cluster, int priority) =>
        new("pool1", cluster, new ClusterSpec("r", priority), false, 1, Wall.AddMinutes(-priority), Wall, "test");

    private static PoolRecord Record(bool holderLost, bool grantKnown = true) => PoolRecord.Create("pool1") with
    {
        Specs = ImmutableDictionary<string, SpecEntry>.Empty.Add("east", Spec("east", 1)).Add("west", Spec("west", 2)),
        Nodes = ImmutableDictionary<NodeId, NodeView>.Empty.Add(Holder, View(Holder, 2.5, HolderRun)).Add(Sibling, View(Sibling, 2.5))
            .Add(West, View(West, 0.3)),
        NodeHeardAt = ImmutableDictionary<NodeId, TimeSpan>.Empty.Add(Holder, Now).Add(Sibling, Now).Add(West, Now),
        Grant = grantKnown ? new CurrentGrant(Term, Holder, HolderRun) : null,
        HighestTerm = grantKnown ? Term : TermId.None,
        QuietTerm = holderLost ? Term : TermId.None,
    };

    [Fact]
    public void The_rule_applies_when_no_holder_is_known()
    {
        // A new arbiter after its host died with the region: no view brought the holder's term.
        var (inputs, aside) = Record(holderLost: false, grantKnown: false).DecisionInputs(Now, Settings, Wall);
        Assert.Equal([Holder, Sibling], aside.Order().AsEnumerable());
        Assert.Equal(West, ForgeDecider.Decide(DeciderState.Initial, inputs, new DeciderNow(Wall, Now), DeciderSettings.Default).Target);
    }

    [Fact]
    public void The_rule_applies_when_the_holder_is_lost()
    {
        var (lost, aside) = Record(holderLost: true).DecisionInputs(Now, Settings, Wall);
        Assert.Equal([Sibling], aside.AsEnumerable());
        Assert.False(Alive(lost, Sibling));
    }

    [Fact]
    public void While_the_holder_is_live_a_planned_move_goes_only_to_a_node_heard_from_recently()
    {
        // The fault run's case: a new arbiter holds the fallback proposer's term for west; east, the first-priority
        // cluster, is "eligible for the first time" through its node's last view, made before its region was killed.
        var west = Record(holderLost: false) with
        {
            Grant = new CurrentGrant(Term, West, HolderRun),
            Nodes = Record(holderLost: false).Nodes.SetItem(West, View(West, 0.3, HolderRun)).SetItem(Holder, View(Holder, 2.5)),
        };
        var at = new DeciderNow(Wall, Now);
        var (inputs, aside) = west.DecisionInputs(Now, Settings, Wall);
        Assert.Equal([Holder, Sibling], aside.Order().AsEnumerable());
        var first = ForgeDecider.Decide(DeciderState.WithHolder(West), inputs, at, DeciderSettings.Default);
        Assert.Equal(West, first.Target);
        Assert.Equal(West, ForgeDecider.Decide(first.Next, inputs, at, DeciderSettings.Default).Target);

        // the same east node heard from recently: its cluster arrives, and forging moves there at once
        var fresh = west with { Nodes = west.Nodes.SetItem(Holder, View(Holder, 0.3)) };
        var (freshInputs, none) = fresh.DecisionInputs(Now, Settings, Wall);
        Assert.Equal([Sibling], none.AsEnumerable());
        Assert.True(Alive(freshInputs, Holder));
        Assert.Equal(Holder, ForgeDecider.Decide(first.Next, freshInputs, at, DeciderSettings.Default).Target);
    }

    // ---- properties over random pools ----

    private static readonly Gen<(DeciderInputs Inputs, Dictionary<NodeId, SuccessorFreshness.Seen> Seen)> GenPool =
        Gen.Select(Gen.Int[1, 3], Gen.Select(Gen.Bool, Gen.Bool, Gen.Bool, Gen.Bool, Gen.Int[0, 50]).Array[6], Gen.Int[0, 4].Array[3])
            .Select((clusters, nodes, states) =>
            {
                var seen = new Dictionary<NodeId, SuccessorFreshness.Seen>();
                var list = new List<ClusterInput>();
                for (var c = 0; c < clusters; c++)
                {
                    var name = $"c{c}";
                    var ns = new List<NodeInput>();
                    for (var k = 0; k < 2; k++)
                    {
                        var (alive, synced, fresh, known, age) = nodes[c * 2 + k];
                        var id = c == 0 && k == 0 ? Holder : new NodeId(name, $"bp-{k}");
                        ns.Add(new NodeInput(id, alive, synced, age, true));
                        if (known) seen[id] = new SuccessorFreshness.Seen(fresh, TimeSpan.FromMilliseconds(age * 100));
                    }
                    list.Add(new ClusterInput(name, Wall.AddMinutes(c), new ClusterSpec("r", c + 1, states[c] == 0 ? "Disabled" : null),
                        HealthObservation.None, [.. ns.DistinctBy(n => n.Id)]));
                }
                return (new DeciderInputs("pool1", [.. list]), seen);
            });

    [Fact]
    public void Never_leaves_a_pool_without_a_forger_prefers_fresh_nodes_and_only_ever_sets_candidates_aside()
    {
        output.WriteLine($"CsCheck_Seed={Environment.GetEnvironmentVariable("CsCheck_Seed") ?? "(random; printed on failure)"}");
        GenPool.Sample(p =>
        {
            var (inputs, aside) = Rule.Apply(p.Inputs, Holder, id => p.Seen.TryGetValue(id, out var s) ? s : null, Wall);
            var before = p.Inputs.Clusters.SelectMany(c => c.Nodes).ToDictionary(n => n.Id);
            var after = inputs.Clusters.SelectMany(c => c.Nodes).ToDictionary(n => n.Id);
            // Only alive candidates other than the holder lose their liveness; nothing else changes.
            foreach (var (id, n) in after)
                Assert.Equal(aside.Contains(id) ? before[id] with { Alive = false } : before[id], n);
            Assert.All(aside, id => Assert.True(before[id].Alive && id != Holder));
            // Never nobody: a pool that had a forger to choose still has one.
            if (Target(p.Inputs) is not null) Assert.NotNull(Target(inputs));
            // Fresh first: when a fresh candidate can forge, the successor is fresh.
            var freshOnly = p.Inputs with
            {
                Clusters = [.. p.Inputs.Clusters.Select(c => c with
                {
                    Nodes = [.. c.Nodes.Select(n => n.Id != Holder && !(p.Seen.TryGetValue(n.Id, out var s) && s.Fresh) ? n with { Alive = false } : n)],
                })],
            };
            if (Target(freshOnly) is { } t && t != Holder)
                Assert.True(Target(inputs) is { } chosen && (chosen == Holder || p.Seen.TryGetValue(chosen, out var s) && s.Fresh));
        }, iter: 3000);
    }
}
