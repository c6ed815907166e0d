using Forge.Coordinator.Metrics;
using Forge.Decider;
using Xunit;
using static Forge.Coordinator.Tests.Metrics.MetricsFixtures;

namespace Forge.Coordinator.Tests.Metrics;

/// <summary>The reason label of forge_coordinator_leadership_transitions_total, read from the arbiter's verdicts.</summary>
public sealed class MetricsLeadershipTransitionsSpec
{
    private static readonly HashSet<string> NoFailback = [];
    private static readonly Forge.Protocol.NodeId East = Node("us-east-1-prod");
    private static readonly Forge.Protocol.NodeId West = Node("us-west-2-prod");

    private static string? Reason(ClusterVerdict oldCluster, ClusterVerdict? newCluster = null, IReadOnlySet<string>? failback = null)
    {
        var before = State(East, oldCluster with { Reason = "Forging" }, Verdict("us-west-2-prod"));
        var after = newCluster is null ? State(West, oldCluster, Verdict("us-west-2-prod", reason: "Forging"))
            : State(West, oldCluster, newCluster);
        var moved = LeadershipTransitions.Between(before, after, failback ?? NoFailback);
        Assert.Equal("us-west-2-prod", moved?.Cluster);
        return moved?.Reason;
    }

    [Fact]
    public void No_move_without_a_new_holder_and_none_on_first_sight()
    {
        var s = State(East, Verdict("us-east-1-prod", reason: "Forging"));
        Assert.Null(LeadershipTransitions.Between(null, s, NoFailback));
        Assert.Null(LeadershipTransitions.Between(s, s with { Phase = "revoking" }, NoFailback));
        Assert.Null(LeadershipTransitions.Between(s, State(null, Verdict("us-east-1-prod")), NoFailback));
    }

    [Fact]
    public void A_first_holder_is_first()
    {
        var moved = LeadershipTransitions.Between(State(null, Verdict("us-east-1-prod")), State(East, Verdict("us-east-1-prod", reason: "Forging")), NoFailback);
        Assert.Equal(("us-east-1-prod", LeadershipTransitions.First), moved);
    }

    [Fact]
    public void The_old_clusters_verdict_names_the_reason()
    {
        Assert.Equal(LeadershipTransitions.Disabled, Reason(Verdict("us-east-1-prod", ForgeStates.DisabledText, "Disabled")));
        Assert.Equal(LeadershipTransitions.SpecInvalid, Reason(Verdict("us-east-1-prod", ForgeStates.DisabledText, "SpecInvalid")));
        Assert.Equal(LeadershipTransitions.NoEligibleNode, Reason(Verdict("us-east-1-prod", reason: "NoEligibleNode")));
        Assert.Equal(LeadershipTransitions.Unhealthy, Reason(Verdict("us-east-1-prod", healthy: false)));
        Assert.Equal(LeadershipTransitions.Priority, Reason(Verdict("us-east-1-prod")));
    }

    [Fact]
    public void The_new_clusters_override_or_failback_names_the_reason()
    {
        Assert.Equal(LeadershipTransitions.Override,
            Reason(Verdict("us-east-1-prod"), Verdict("us-west-2-prod", ForgeStates.EnabledText, "Forging", overrideActive: true)));
        Assert.Equal(LeadershipTransitions.Failback, Reason(Verdict("us-east-1-prod"), failback: new HashSet<string> { "us-west-2-prod" }));
    }

    [Fact]
    public void A_removed_cluster_and_a_move_inside_a_cluster()
    {
        var before = State(East, Verdict("us-east-1-prod", reason: "Forging"), Verdict("us-west-2-prod"));
        Assert.Equal(("us-west-2-prod", LeadershipTransitions.Removed),
            LeadershipTransitions.Between(before, State(West, Verdict("us-west-2-prod", reason: "Forging")), NoFailback));
        Assert.Equal(("us-east-1-prod", LeadershipTransitions.NodeIneligible),
            LeadershipTransitions.Between(before, State(Node("us-east-1-prod", "cardano-bp-1"), Verdict("us-east-1-prod", reason: "Forging")), NoFailback));
    }

    [Fact]
    public void The_tracker_remembers_a_failback_wait_until_the_move_and_forgets_a_cancelled_one()
    {
        var t = new LeadershipTracker();
        Assert.Null(t.Observe(State(East, Verdict("us-east-1-prod", reason: "Forging"), Verdict("us-west-2-prod"))));
        // west recovered and waits; then the decider targets it (the condition is gone) and the grant follows
        Assert.Null(t.Observe(State(East, Verdict("us-east-1-prod", reason: "Forging"), Verdict("us-west-2-prod", reason: "FailbackPending", failbackPending: true))));
        Assert.Null(t.Observe(State(East, West, Verdict("us-east-1-prod"), Verdict("us-west-2-prod"))));
        Assert.Equal(("us-west-2-prod", LeadershipTransitions.Failback), t.Observe(State(West, Verdict("us-east-1-prod"), Verdict("us-west-2-prod", reason: "Forging"))));

        // east waits, the wait is cancelled (settled, nothing pending), later east wins on priority
        Assert.Null(t.Observe(State(West, Verdict("us-east-1-prod", reason: "FailbackPending", failbackPending: true), Verdict("us-west-2-prod", reason: "Forging"))));
        Assert.Null(t.Observe(State(West, Verdict("us-east-1-prod"), Verdict("us-west-2-prod", reason: "Forging"))));
        Assert.Equal(("us-east-1-prod", LeadershipTransitions.Priority), t.Observe(State(East, Verdict("us-east-1-prod", reason: "Forging"), Verdict("us-west-2-prod"))));
    }
}
