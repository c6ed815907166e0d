using System.Collections.Immutable;
using Forge.Arbiter;
using Forge.Cluster;
using Forge.Decider;
using Forge.Protocol;
using Xunit;
using static Forge.Coordinator.Tests.Fixtures;

namespace Forge.Coordinator.Tests.Arbiter;

public class FailoverPlannerSpec
{
    private static MemberInfo M(string address, bool oldest, bool reachable, bool self) =>
        new(address, ["coordinator", "region:x"], "x", false, "Up", reachable ? "reachable" : "unreachable", false, oldest, self);

    private static ClusterMembersSnapshot S(params MemberInfo[] members) =>
        new(members.Single(m => m.Self).Address, null, members.FirstOrDefault(m => m.Oldest)?.Address, [.. members]);

    [Fact]
    public void Ranks_the_fallback_proposers_host_first_then_by_address_without_waiting_for_an_unreachable_mark()
    {
        // Everyone reachable: the arbiter's host is rank 1 (the arbiter itself is rank 0), then by address.
        Assert.Equal(1, FailoverPlanner.Rank(S(M("b", true, true, true), M("a", false, true, false), M("c", false, true, false))));
        Assert.Equal(2, FailoverPlanner.Rank(S(M("b", true, true, false), M("a", false, true, true), M("c", false, true, false))));
        Assert.Equal(3, FailoverPlanner.Rank(S(M("b", true, true, false), M("a", false, true, false), M("c", false, true, true))));
        // A host that died keeps rank 1 until it is marked unreachable (above: the next coordinator acts one step later,
        // not never); once marked it drops out and the others move up.
        Assert.Equal(1, FailoverPlanner.Rank(S(M("b", true, false, false), M("a", false, true, true), M("c", false, true, false))));
        Assert.Equal(2, FailoverPlanner.Rank(S(M("b", true, false, false), M("a", false, true, false), M("c", false, true, true))));
        // A coordinator that is not Up (joining) is no fallback proposer.
        var joining = M("d", false, true, true) with { Status = "Joining" };
        Assert.Null(FailoverPlanner.Rank(S(M("b", true, true, false), joining)));
    }

    private static readonly Forge.Grants.GrantSettings Grants = new(["a", "b", "c"], TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(30),
        TimeSpan.FromMilliseconds(500), 100_000, TimeSpan.FromMilliseconds(20), TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(1), "/x");

    [Theory]
    // TTL 5 s: the quiet bound is 2.5 s; rank k waits k × failover-proposal-timeout (1 s) more
    [InlineData(2.5, 0, 0.0)]  // the arbiter's bound: rank 0 proposes at once
    [InlineData(2.5, 1, 1.0)]  // the arbiter's host's watch gives the arbiter one second
    [InlineData(2.5, 2, 2.0)]
    [InlineData(3.2, 2, 1.3)]  // seen late in the poll: waits only the rest, not a whole poll interval
    [InlineData(4.5, 2, 0.0)]
    [InlineData(6.0, 2, 0.0)]  // overdue
    [InlineData(2.5, -1, 0.0)] // no negative rank
    public void A_fallback_proposes_once_the_term_has_been_quiet_its_rank_longer_than_the_arbiter_waits(double quiet, int rank, double wait)
    {
        var term = new Forge.Grants.QuietTerm("p", new TermId(3, "x"), NodeId.Parse("east/bp-0"), Guid.NewGuid(), TimeSpan.FromSeconds(5),
            false, TimeSpan.FromSeconds(quiet), ["a", "b"]);
        Assert.Equal(TimeSpan.FromSeconds(wait), FailoverPlanner.WaitBeforeProposing(term, rank, Grants));
    }

    [Fact]
    public void Picks_the_best_alive_node_outside_the_holders_cluster()
    {
        var east = NodeId.Parse("east/bp-0");
        var west0 = NodeId.Parse("west/bp-0");
        var west1 = NodeId.Parse("west/bp-1");
        var eu = NodeId.Parse("eu/bp-0");
        ClusterVerdict V(string name, int prio, bool eligible = true, bool healthy = true) =>
            new(name, "Priority-based", prio, eligible, healthy, false, null, "", "", []);
        var state = new PoolState("pool1", east, east, Guid.NewGuid(), new TermId(4, "arb"), "idle", "holder kept",
            [V("east", 1), V("west", 2), V("eu", 3), V("off", 0, eligible: false)],
            [View("pool1", east, Guid.NewGuid()), View("pool1", west0, Guid.NewGuid(), tip: 10), View("pool1", west1, Guid.NewGuid(), tip: 20),
             View("pool1", eu, Guid.NewGuid())],
            [], DateTimeOffset.UtcNow);
        Assert.Equal(west1, FailoverPlanner.Candidate(state)!.Value.Node);
        // An unhealthy cluster comes after a healthy one; a dead node is never picked.
        var s2 = state with
        {
            Clusters = [V("east", 1), V("west", 2, healthy: false), V("eu", 3)],
        };
        Assert.Equal(eu, FailoverPlanner.Candidate(s2)!.Value.Node);
        var s3 = s2 with { Nodes = [.. state.Nodes.Select(n => n.Node == eu ? n with { Alive = false } : n)] };
        Assert.Equal(west1, FailoverPlanner.Candidate(s3)!.Value.Node);
        Assert.Null(FailoverPlanner.Candidate(state with { Holder = null }));

        // With nobody to pick, the watch says what each other cluster lacks.
        var none = state with
        {
            Nodes = [.. state.Nodes.Select(n => n.Node == eu ? n with { Alive = false } : n.Node.Cluster == "west" ? n with { Synced = false, Connected = false } : n)],
        };
        Assert.Null(FailoverPlanner.Candidate(none));
        Assert.Equal("eu: bp-0 not alive; off not eligible (); west: bp-0 not synced/connected, bp-1 not synced/connected",
            FailoverPlanner.WhyNoCandidate(none, east));
    }

    [Theory]
    // the cluster's verdict in the published state, west's node as its fresh answer says -> proposed?
    [InlineData("NoEligibleNode", true, "aa11", true)]   // no node then, one now: a candidate again
    [InlineData("NoEligibleNode", false, "aa11", false)] // still none
    [InlineData("NoEligibleNode", true, "old", false)]   // alive, but not with the pool's current opcert
    [InlineData("Disabled", true, "aa11", false)]        // a spec reason: only the arbiter overturns it
    [InlineData("SpecInvalid", true, "aa11", false)]
    public void A_cluster_without_an_eligible_node_at_the_decision_counts_again_once_an_answer_shows_one(
        string reason, bool westAlive, string westOpcert, bool proposed)
    {
        // Session 8, partition run #17: the arbiter decided while the other regions' entities were being re-created,
        // called both "NoEligibleNode", and was cut off with the forger's region; no watch proposed for 21.4 s.
        var published = Published with
        {
            Clusters = [Published.Clusters[0], Published.Clusters[1] with { Eligible = false, Reason = reason },
                Published.Clusters[2] with { Eligible = false, Reason = "Disabled" }],
            Nodes = [.. Published.Nodes.Select(n => n.Node == West ? n with { Alive = false } : n)],
        };
        var now = TimeSpan.FromSeconds(100);
        var old = westOpcert == "old";
        FailoverPlanner.AskedView? Answer(NodeId n) => n == West
            ? new(View("pool1", West, WestInc, alive: westAlive, creds: old ? Creds(counter: 2, hash: "old") : Creds())
                with { ReportAge = TimeSpan.FromMilliseconds(100) }, now)
            : null;
        Assert.Equal(proposed ? West : null, FailoverPlanner.Candidate(published, Answer, SuccessorFreshness.Default, now)?.Node);
        if (!proposed && reason == "NoEligibleNode")
            Assert.Contains($"west: bp-0 not {(westAlive ? "current credentials" : "alive")}",
                FailoverPlanner.WhyNoCandidate(published with { Nodes = [.. FailoverPlanner.Overlay(published, Answer, SuccessorFreshness.Default, now).Select(x => x.View)] }, East));
    }

    private static readonly NodeId East = NodeId.Parse("east/bp-0");
    private static readonly NodeId West = NodeId.Parse("west/bp-0");
    private static readonly NodeId Eu = NodeId.Parse("eu/bp-0");
    private static readonly Guid WestInc = Guid.NewGuid();
    private static readonly Guid EuInc = Guid.NewGuid();

    /// <summary>East holds; west (priority 2) would be the published state's choice, eu (priority 3) the next.</summary>
    private static readonly PoolState Published = new("pool1", East, East, Guid.NewGuid(), new TermId(4, "arb"), "idle", "holder kept",
        [new("east", "Priority-based", 1, true, true, false, null, "", "", []), new("west", "Priority-based", 2, true, true, false, null, "", "", []),
         new("eu", "Priority-based", 3, true, true, false, null, "", "", [])],
        [View("pool1", East, Guid.NewGuid()), View("pool1", West, WestInc), View("pool1", Eu, EuInc)], [], DateTimeOffset.UtcNow);

    public enum Answer { None, Fresh, ReportedLongAgo, AnsweredLongAgo, NotRegistered, NotSynced, Restarted }

    private static FailoverPlanner.AskedView? Asked(NodeId node, Answer answer, TimeSpan now) => answer switch
    {
        Answer.None => null,
        Answer.Fresh => new(View("pool1", node, node == West ? WestInc : EuInc) with { ReportAge = TimeSpan.FromMilliseconds(300) }, now - TimeSpan.FromMilliseconds(50)),
        Answer.ReportedLongAgo => new(View("pool1", node, node == West ? WestInc : EuInc) with { ReportAge = TimeSpan.FromSeconds(2) }, now - TimeSpan.FromMilliseconds(50)),
        Answer.AnsweredLongAgo => new(View("pool1", node, node == West ? WestInc : EuInc, alive: false), now - TimeSpan.FromSeconds(3)),
        Answer.NotRegistered => new(null, now - TimeSpan.FromMilliseconds(50)),
        Answer.NotSynced => new(View("pool1", node, node == West ? WestInc : EuInc, synced: false), now - TimeSpan.FromMilliseconds(50)),
        Answer.Restarted => new(View("pool1", node, Guid.Empty, synced: false), now - TimeSpan.FromMilliseconds(50)),
        _ => throw new ArgumentOutOfRangeException(nameof(answer)),
    };

    [Theory]
    // No answers yet: the published state's choice stands (never nobody).
    [InlineData(Answer.None, Answer.None, "west", false)]
    // West's entity did not answer (its region died with the arbiter), eu's did: eu, though west ranks first.
    [InlineData(Answer.None, Answer.Fresh, "eu", true)]
    [InlineData(Answer.Fresh, Answer.Fresh, "west", true)]
    // West's agent last reported 2 s ago (dead, entity alive): eu.
    [InlineData(Answer.ReportedLongAgo, Answer.Fresh, "eu", true)]
    // Answers late under load, both stale: the state's order, with what the answers say.
    [InlineData(Answer.ReportedLongAgo, Answer.ReportedLongAgo, "west", false)]
    // An answer older than view-stale-after is not used (its "not alive" would otherwise rule west out).
    [InlineData(Answer.AnsweredLongAgo, Answer.None, "west", false)]
    // Definite answers rule a node out even in the fallback: not registered, not synced, restarted and catching up.
    [InlineData(Answer.NotRegistered, Answer.None, "eu", false)]
    [InlineData(Answer.NotSynced, Answer.None, "eu", false)]
    [InlineData(Answer.Restarted, Answer.ReportedLongAgo, "eu", false)]
    [InlineData(Answer.NotSynced, Answer.NotRegistered, null, false)]
    public void The_watch_prefers_a_successor_whose_entity_answered_fresh_to_the_published_states_choice(Answer west, Answer eu,
        string? expected, bool fresh)
    {
        var now = TimeSpan.FromSeconds(100);
        var answers = new Dictionary<NodeId, FailoverPlanner.AskedView?> { [West] = Asked(West, west, now), [Eu] = Asked(Eu, eu, now) };
        var picked = FailoverPlanner.Candidate(Published, n => answers.GetValueOrDefault(n), SuccessorFreshness.Default, now);
        Assert.Equal(expected, picked?.Node.Cluster);
        if (picked is not { } p) return;
        Assert.Equal(fresh, p.Fresh);
        Assert.Equal(p.Node == West ? WestInc : EuInc, p.Incarnation);
    }

    [Fact]
    public void The_proposed_incarnation_is_the_one_the_entity_answered_with()
    {
        var now = TimeSpan.FromSeconds(100);
        var restarted = Guid.NewGuid();
        FailoverPlanner.AskedView? Answer(NodeId n) => n == West
            ? new(View("pool1", West, restarted) with { ReportAge = TimeSpan.FromMilliseconds(100) }, now)
            : null;
        Assert.Equal((West, restarted, true), FailoverPlanner.Candidate(Published, Answer, SuccessorFreshness.Default, now));
    }

    [Theory]
    // entity, link -> which answer counts (E entity, L link, - none)
    [InlineData(Answer.None, Answer.None, "-")]
    [InlineData(Answer.Fresh, Answer.None, "E")]
    [InlineData(Answer.None, Answer.Fresh, "L")]
    // the entity was just moved (no registration yet) or its last view is old: the live link's fresh answer
    [InlineData(Answer.NotRegistered, Answer.Fresh, "L")]
    [InlineData(Answer.AnsweredLongAgo, Answer.Fresh, "L")]
    [InlineData(Answer.ReportedLongAgo, Answer.Fresh, "L")]
    // a link whose agent went quiet does not undo the entity's fresh answer
    [InlineData(Answer.Fresh, Answer.ReportedLongAgo, "E")]
    // neither fresh: the later heard
    [InlineData(Answer.NotRegistered, Answer.ReportedLongAgo, "E")]
    [InlineData(Answer.AnsweredLongAgo, Answer.ReportedLongAgo, "L")]
    public void An_entitys_and_a_links_answers_merge_to_the_fresh_one(Answer entity, Answer link, string expected)
    {
        var now = TimeSpan.FromSeconds(100);
        var e = Asked(West, entity, now);
        // the link's answers come a little later than the entity's, so "the later heard" is the link unless stated
        var l = Asked(West, link, now) is { } a ? a with { HeardAt = a.HeardAt + TimeSpan.FromMilliseconds(entity == Answer.NotRegistered ? -10 : 10) } : (FailoverPlanner.AskedView?)null;
        var merged = FailoverPlanner.Merge(e, l, SuccessorFreshness.Default, now);
        Assert.Equal(expected switch { "E" => e, "L" => l, _ => null }, merged);
    }

    [Fact]
    public void Of_two_fresh_answers_the_younger_report_counts()
    {
        var now = TimeSpan.FromSeconds(100);
        var old = new FailoverPlanner.AskedView(View("pool1", West, WestInc) with { ReportAge = TimeSpan.FromMilliseconds(900) }, now);
        var restarted = new FailoverPlanner.AskedView(View("pool1", West, Guid.NewGuid()) with { ReportAge = TimeSpan.FromMilliseconds(100) },
            now - TimeSpan.FromMilliseconds(200));
        Assert.Equal(restarted, FailoverPlanner.Merge(old, restarted, SuccessorFreshness.Default, now));
        Assert.Equal(restarted, FailoverPlanner.Merge(restarted, old, SuccessorFreshness.Default, now));
    }

    [Fact]
    public void A_grant_is_broadcast_again_until_its_activation_plus_one_ttl_and_only_the_pools_newest()
    {
        static TimeSpan At(double s) => TimeSpan.FromSeconds(s);
        var east = NodeId.Parse("east/bp-0");
        var west = NodeId.Parse("west/bp-0");
        var first = new Grant("p", east, Guid.NewGuid(), new TermId(3, "x"), At(5), At(1), "test");
        var rebroadcast = new GrantRebroadcast();
        rebroadcast.Add(first, At(10));
        Assert.Equal([first], rebroadcast.Due(At(15.9))); // activation 1 s + TTL 5 s after 10 s
        Assert.Empty(rebroadcast.Due(At(16)));
        rebroadcast.Add(first, At(20));
        var second = first with { Holder = west, Term = new TermId(4, "x"), ActivationDelay = TimeSpan.Zero };
        rebroadcast.Add(second, At(21)); // a newer grant for the pool replaces the older one
        rebroadcast.Add(first with { PoolId = "q" }, At(21));
        Assert.Equal([second, first with { PoolId = "q" }], rebroadcast.Due(At(22)).OrderBy(g => g.PoolId));
    }
}
