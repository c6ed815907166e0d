using Forge.Decider;
using Xunit;
using static Forge.Tests.Decider.PoolWorld;

namespace Forge.Tests.Decider;

/// <summary>Table tests, one per rule of the README's "Forging semantics".</summary>
public sealed class ForgeDeciderRulesTests
{
    private static readonly TimeSpan Sec = TimeSpan.FromSeconds(1);

    [Fact]
    public void Lowest_priority_number_forges_on_its_highest_tip_node()
    {
        var d = Guide().Step();
        Assert.Equal(Id("us-east-1-prod/cardano-bp-0"), d.Target);
        var east = d.Cluster("us-east-1-prod")!;
        Assert.True(east.Forging);
        Assert.Equal(Id("us-east-1-prod/cardano-bp-0"), east.ActiveLeader);
        Assert.Equal("Priority-based", east.EffectiveState);
        Assert.Equal(1, east.EffectivePriority);
        Assert.Null(d.Cluster("us-west-2-prod")!.ActiveLeader);
        Assert.Equal("Standby", d.Cluster("us-west-2-prod")!.Reason);
    }

    [Fact]
    public void Within_a_cluster_highest_tip_then_lowest_identity()
    {
        var w = Guide().Node("us-east-1-prod", 1, n => n with { TipSlot = 2000 });
        Assert.Equal(Id("us-east-1-prod/cardano-bp-1"), w.Step().Target);
        var tie = Guide().AllNodes("us-east-1-prod", n => n with { TipSlot = 5 });
        Assert.Equal(Id("us-east-1-prod/cardano-bp-0"), tie.Step().Target);
    }

    [Fact]
    public void The_holder_node_is_kept_while_eligible_even_behind_on_tip()
    {
        var w = Guide();
        w.Step();
        w.Node("us-east-1-prod", 1, n => n with { TipSlot = 5000 });
        Assert.Equal(Id("us-east-1-prod/cardano-bp-0"), w.Step().Target);
    }

    [Fact]
    public void Enabled_wins_over_a_better_priority()
    {
        var w = Guide().Spec("eu-west-1-prod", s => s with { ForgeState = "Enabled" });
        Assert.Equal("eu-west-1-prod", w.Step().Target!.Value.Cluster);
    }

    [Fact]
    public void Two_Enabled_clusters_make_one_winner_and_a_Conflict_naming_it()
    {
        var w = Guide()
            .Spec("us-west-2-prod", s => s with { ForgeState = "Enabled" })
            .Spec("eu-west-1-prod", s => s with { ForgeState = "Enabled" });
        var d = w.Step();
        Assert.Equal("us-west-2-prod", d.Target!.Value.Cluster);
        var loser = d.Cluster("eu-west-1-prod")!;
        Assert.Equal("Conflict", loser.Reason);
        Assert.Equal("True", loser.Condition(ConditionTypes.Conflict)!.Status);
        Assert.Contains("us-west-2-prod", loser.Condition(ConditionTypes.Conflict)!.Message);
        Assert.Equal("False", d.Cluster("us-west-2-prod")!.Condition(ConditionTypes.Conflict)!.Status);
    }

    [Fact]
    public void Disabled_unsynced_dead_or_stale_credentials_are_never_eligible()
    {
        var w = Guide().Spec("us-east-1-prod", s => s with { ForgeState = "Disabled" });
        Assert.Equal("us-west-2-prod", w.Step().Target!.Value.Cluster);
        w.AllNodes("us-west-2-prod", n => n with { Synced = false });
        Assert.Equal("eu-west-1-prod", w.Step().Target!.Value.Cluster);
        w.AllNodes("eu-west-1-prod", n => n with { CredentialsCurrent = false });
        var d = w.Step();
        Assert.Null(d.Target);
        Assert.Equal("NoEligibleNode", d.Cluster("eu-west-1-prod")!.Reason);
        Assert.Equal("Disabled", d.Cluster("us-east-1-prod")!.Reason);
    }

    [Fact]
    public void A_holder_that_stops_being_synced_or_alive_loses_forging_at_once()
    {
        var w = Guide();
        w.Step();
        w.Node("us-east-1-prod", 0, n => n with { Synced = false });
        Assert.Equal(Id("us-east-1-prod/cardano-bp-1"), w.Step().Target);
        w.Node("us-east-1-prod", 1, n => n with { Alive = false });
        var d = w.Step();
        Assert.Equal("us-west-2-prod", d.Target!.Value.Cluster);
        Assert.Contains("no longer eligible", d.Transition);
    }

    [Theory]
    [InlineData(0, "spec.priority 0 is outside 1-999")]
    [InlineData(1000, "spec.priority 1000 is outside 1-999")]
    public void Priority_outside_range_is_SpecInvalid(int priority, string message) =>
        AssertInvalid(s => s with { Priority = priority }, message);

    [Fact]
    public void Unknown_state_is_SpecInvalid() =>
        AssertInvalid(s => s with { ForgeState = "Maybe" }, "spec.forgeState 'Maybe'");

    [Fact]
    public void Unparseable_expiry_is_SpecInvalid() =>
        AssertInvalid(s => s with { Override = new OverrideSpec(true, "x", "tomorrow") }, "spec.override.expiresAt 'tomorrow'");

    [Fact]
    public void Missing_region_is_SpecInvalid() =>
        AssertInvalid(s => s with { Region = null }, "spec.region is required");

    [Fact]
    public void Bad_force_values_are_SpecInvalid()
    {
        AssertInvalid(s => s with { Override = new OverrideSpec(true, ForcePriority: 0) }, "spec.override.forcePriority 0");
        AssertInvalid(s => s with { Override = new OverrideSpec(true, ForceState: "On") }, "spec.override.forceState 'On'");
        AssertInvalid(s => s with { HealthCheck = new HealthCheckSpec(true, "http://x", "often") }, "spec.healthCheck.interval 'often'");
    }

    [Fact]
    public void A_missing_spec_is_SpecInvalid_and_nothing_throws()
    {
        var w = Guide().RawSpec("us-east-1-prod", null);
        var d = w.Step();
        Assert.Equal("us-west-2-prod", d.Target!.Value.Cluster);
        Assert.Equal("SpecInvalid", d.Cluster("us-east-1-prod")!.Reason);
    }

    private static void AssertInvalid(Func<ClusterSpec, ClusterSpec> change, string message)
    {
        var d = Guide().Spec("us-east-1-prod", change).Step();
        var east = d.Cluster("us-east-1-prod")!;
        Assert.Equal("us-west-2-prod", d.Target!.Value.Cluster);
        Assert.False(east.Eligible);
        Assert.Equal("SpecInvalid", east.Reason);
        Assert.Contains(message, east.Message);
        var c = east.Condition(ConditionTypes.SpecInvalid)!;
        Assert.Equal(("True", "SpecInvalid"), (c.Status, c.Reason));
        Assert.Contains(message, c.Message);
    }

    [Fact]
    public void Override_forces_state_and_priority_while_active()
    {
        var w = Guide().Spec("eu-west-1-prod", s => s with { Override = new OverrideSpec(true, "drill", ForcePriority: 1) });
        var d = w.Step();
        // Tie at priority 1 with us-east-1-prod: earliest first-seen wins (no holder yet).
        Assert.Equal("us-east-1-prod", d.Target!.Value.Cluster);
        Assert.Equal(1, d.Cluster("eu-west-1-prod")!.EffectivePriority);
        Assert.Equal("True", d.Cluster("eu-west-1-prod")!.Condition(ConditionTypes.OverrideActive)!.Status);
        w.Spec("eu-west-1-prod", s => s with { Override = new OverrideSpec(true, "drill", ForceState: "Enabled") });
        Assert.Equal("eu-west-1-prod", w.Step().Target!.Value.Cluster);
    }

    [Fact]
    public void A_disabled_override_changes_nothing()
    {
        var w = Guide().Spec("eu-west-1-prod", s => s with { Override = new OverrideSpec(false, "old", ForceState: "Enabled") });
        var d = w.Step();
        Assert.Equal("us-east-1-prod", d.Target!.Value.Cluster);
        Assert.Empty(d.Actions);
    }

    [Fact]
    public void Ties_never_move_forging()
    {
        var w = Guide().Spec("us-west-2-prod", s => s with { Priority = 1 });
        w.Step();
        var first = w.Last!.Target;
        // Re-rank with the other tied cluster first-seen earlier: the holder still wins the tie.
        for (var i = 0; i < 5; i++) Assert.Equal(first, w.Advance(Sec).Step().Target);
    }

    [Fact]
    public void Unhealthy_ranks_after_every_healthy_eligible_but_beats_none()
    {
        var w = Guide()
            .Spec("us-east-1-prod", s => s with { HealthCheck = new HealthCheckSpec(true, "http://h", FailureThreshold: 3) })
            .Health("us-east-1-prod", 3);
        var d = w.Step();
        Assert.Equal("us-west-2-prod", d.Target!.Value.Cluster);
        Assert.False(d.Cluster("us-east-1-prod")!.Healthy);
        Assert.Equal("False", d.Cluster("us-east-1-prod")!.Condition(ConditionTypes.Healthy)!.Status);

        var alone = new PoolWorld().Add("solo", "us-east-1", 1)
            .Spec("solo", s => s with { HealthCheck = new HealthCheckSpec(true, "http://h", FailureThreshold: 1) })
            .Health("solo", 9);
        Assert.Equal("solo", alone.Step().Target!.Value.Cluster);
    }

    [Fact]
    public void Failures_below_the_threshold_are_still_healthy()
    {
        var w = Guide()
            .Spec("us-east-1-prod", s => s with { HealthCheck = new HealthCheckSpec(true, "http://h", FailureThreshold: 3) })
            .Health("us-east-1-prod", 2);
        Assert.Equal("us-east-1-prod", w.Step().Target!.Value.Cluster);
    }

    [Fact]
    public void The_healthy_condition_says_when_health_checks_are_disabled_rather_than_counting_failures()
    {
        var w = Guide()
            .Spec("us-east-1-prod", s => s with { HealthCheck = new HealthCheckSpec(true, "http://h", FailureThreshold: 3) })
            .Health("us-east-1-prod", 2);
        var d = w.Step();
        Assert.Equal("probe", d.Cluster("us-east-1-prod")!.Condition(ConditionTypes.Healthy)!.Message); // the prober's words
        Assert.Equal("health checks disabled", d.Cluster("us-west-2-prod")!.Condition(ConditionTypes.Healthy)!.Message);
    }

    [Fact]
    public void Condition_transition_time_changes_only_on_real_transitions()
    {
        var w = Guide();
        var t1 = w.Step().Cluster("us-west-2-prod")!.Condition(ConditionTypes.Forging)!.LastTransitionTime;
        w.Advance(TimeSpan.FromMinutes(1));
        var again = w.Step().Cluster("us-west-2-prod")!.Condition(ConditionTypes.Forging)!;
        Assert.Equal(t1, again.LastTransitionTime);
        w.Spec("us-east-1-prod", s => s with { ForgeState = "Disabled" });
        var moved = w.Step().Cluster("us-west-2-prod")!.Condition(ConditionTypes.Forging)!;
        Assert.Equal("True", moved.Status);
        Assert.Equal(w.Wall, moved.LastTransitionTime);
    }

    [Fact]
    public void Duplicate_cluster_names_in_the_input_count_once()
    {
        var w = Guide();
        var inputs = w.Inputs with { Clusters = w.Inputs.Clusters.AddRange(w.Inputs.Clusters) };
        var d = ForgeDecider.Decide(DeciderState.Initial, inputs, new DeciderNow(w.Wall, w.Mono), w.Settings);
        Assert.Equal(3, d.Clusters.Length);
    }
}
