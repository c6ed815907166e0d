using Forge.Decider;
using Xunit;
using static Forge.Tests.Decider.PoolWorld;

namespace Forge.Tests.Decider;

/// <summary>Every recipe of the operations guide, expressed as decider inputs.</summary>
public sealed class GuideRecipeTests
{
    private const string East = "us-east-1-prod";
    private const string West = "us-west-2-prod";
    private const string Eu = "eu-west-1-prod";
    private static readonly TimeSpan Sec = TimeSpan.FromSeconds(1);

    /// <summary>failover-for-maintenance.sh: forgeState Disabled + a 4-hour override with a reason.</summary>
    private static void Maintenance(PoolWorld w) =>
        w.Spec(East, s => s with
        {
            ForgeState = "Disabled",
            Override = new OverrideSpec(true, "Scheduled maintenance", w.Wall.AddHours(4).ToString("yyyy-MM-ddTHH:mm:sszzz")),
        });

    [Fact]
    public void Maintenance_failover_hands_over_to_the_secondary_at_once()
    {
        var w = Guide();
        w.Step();
        Maintenance(w);
        var d = w.Advance(Sec).Step();
        Assert.Equal(Id("us-west-2-prod/cardano-bp-0"), d.Target);
        Assert.True(d.Moved);
        var east = d.Cluster(East)!;
        Assert.Equal(("Disabled", "Disabled"), (east.EffectiveState, east.Reason));
        Assert.Equal("True", east.Condition(ConditionTypes.OverrideActive)!.Status);
        Assert.Equal("Scheduled maintenance", east.Condition(ConditionTypes.OverrideActive)!.Message);
        Assert.Empty(d.Actions);
    }

    [Fact]
    public void Expiry_of_the_maintenance_window_restores_priority_based_operation()
    {
        var w = Guide();
        w.Step();
        Maintenance(w);
        w.Advance(Sec).Step();
        w.Advance(TimeSpan.FromHours(4));
        var d = w.Step();
        Assert.Equal(East, d.Target!.Value.Cluster);
        var restore = Assert.IsType<RestoreOverride>(Assert.Single(d.Actions));
        Assert.Equal(East, restore.Cluster);
        Assert.True(restore.ResetDisabledState);
        Assert.Equal("Priority-based", d.Cluster(East)!.EffectiveState);
        // Idempotent: until the projection writes it, every decision repeats the action and keeps the target.
        var again = w.Advance(Sec).Step();
        Assert.Single(again.Actions);
        Assert.Equal(East, again.Target!.Value.Cluster);
        // Once written (enabled false, Priority-based), nothing more is asked.
        w.Spec(East, s => s with { ForgeState = "Priority-based", Override = s.Override! with { Enabled = false } });
        Assert.Empty(w.Advance(Sec).Step().Actions);
    }

    [Fact]
    public void An_override_whose_expiry_is_already_past_when_written_ends_at_once()
    {
        var w = Guide();
        w.Step();
        w.Spec(West, s => s with { Override = new OverrideSpec(true, "late", w.Wall.AddMinutes(-1).ToString("O"), ForceState: "Enabled") });
        var d = w.Advance(Sec).Step();
        Assert.Equal(East, d.Target!.Value.Cluster);
        var restore = Assert.IsType<RestoreOverride>(Assert.Single(d.Actions));
        Assert.False(restore.ResetDisabledState);
    }

    [Fact]
    public void Restore_after_maintenance_moves_back_now()
    {
        var w = Guide();
        w.Step();
        Maintenance(w);
        w.Advance(Sec).Step();
        // restore-after-maintenance.sh
        w.Spec(East, s => s with { ForgeState = "Priority-based", Override = s.Override! with { Enabled = false } });
        var d = w.Advance(Sec).Step();
        Assert.Equal(Id("us-east-1-prod/cardano-bp-0"), d.Target);
        Assert.Contains("spec change", d.Transition);
    }

    [Fact]
    public void Restore_while_the_primary_is_still_syncing_keeps_the_secondary_until_synced_and_stable()
    {
        var w = Guide();
        w.Step();
        Maintenance(w);
        w.Advance(Sec).Step();
        w.AllNodes(East, n => n with { Synced = false }); // maintenance restarted the nodes
        w.Spec(East, s => s with { ForgeState = "Priority-based", Override = s.Override! with { Enabled = false } });
        var d = w.Advance(Sec).Step();
        Assert.Equal(West, d.Target!.Value.Cluster);
        Assert.Equal("NoEligibleNode", d.Cluster(East)!.Reason);
        w.AllNodes(East, n => n with { Synced = true });
        Assert.Equal(West, w.Advance(Sec).Step().Target!.Value.Cluster);
        w.Advance(TimeSpan.FromSeconds(60));
        Assert.Equal(East, w.Step().Target!.Value.Cluster);
    }

    /// <summary>emergency-failover.sh: primary forced Disabled without expiry, backup forcePriority 1.</summary>
    [Fact]
    public void Emergency_failover_with_forcePriority_and_no_expiry_holds_and_the_failed_cluster_returning_at_1_does_not_take_it()
    {
        var w = Guide();
        w.Step();
        w.AllNodes(East, n => n with { Alive = false });
        w.Spec(East, s => s with { ForgeState = "Disabled", Override = new OverrideSpec(true, "Emergency failover - primary cluster failure") });
        w.Spec(West, s => s with { Override = new OverrideSpec(true, "Emergency failover", ForcePriority: 1) });
        var d = w.Advance(Sec).Step();
        Assert.Equal(West, d.Target!.Value.Cluster);
        Assert.Equal(1, d.Cluster(West)!.EffectivePriority);

        // Hours later nothing expires.
        w.Advance(TimeSpan.FromDays(2));
        d = w.Step();
        Assert.Equal(West, d.Target!.Value.Cluster);
        Assert.Empty(d.Actions);

        // The failed cluster comes back and its operator re-enables it at priority 1: a tie at 1 keeps the holder.
        w.AllNodes(East, n => n with { Alive = true });
        w.Spec(East, s => s with { ForgeState = "Priority-based", Override = s.Override! with { Enabled = false } });
        d = w.Advance(Sec).Step();
        Assert.Equal(West, d.Target!.Value.Cluster);
        Assert.Equal(1, d.Cluster(East)!.EffectivePriority);
        Assert.Equal("Standby", d.Cluster(East)!.Reason);
    }

    [Fact]
    public void All_Disabled_means_no_forger_and_the_guide_fix_enables_the_primary()
    {
        var w = Guide();
        foreach (var c in new[] { East, West, Eu }) w.Spec(c, s => s with { ForgeState = "Disabled" });
        var d = w.Step();
        Assert.Null(d.Target);
        Assert.All(d.Clusters, c => Assert.Equal("Disabled", c.EffectiveState));
        Assert.All(d.Clusters, c => Assert.Equal("False", c.Condition(ConditionTypes.Forging)!.Status));
        w.Spec(East, s => s with { ForgeState = "Priority-based" });
        Assert.Equal(East, w.Advance(Sec).Step().Target!.Value.Cluster);
    }

    [Fact]
    public void Disable_all_secondaries_after_an_emergency_failover_leaves_the_priority_1_cluster()
    {
        var w = Guide();
        w.Spec(West, s => s with { Override = new OverrideSpec(true, "Emergency failover", ForcePriority: 1) });
        w.Step();
        // kubectl get --sort-by=.spec.priority -o name | tail -n +2 → us-west-2-prod (2) and eu-west-1-prod (3)
        w.Spec(West, s => s with { ForgeState = "Disabled" }).Spec(Eu, s => s with { ForgeState = "Disabled" });
        var d = w.Advance(Sec).Step();
        Assert.Equal(East, d.Target!.Value.Cluster);
        Assert.Equal("Disabled", d.Cluster(West)!.EffectiveState);
    }

    [Fact]
    public void Deleting_the_forging_cluster_removes_it_from_the_election_and_recreating_brings_it_back()
    {
        var w = Guide();
        w.Step();
        var deleted = w[East];
        w.Delete(East);
        var d = w.Advance(Sec).Step();
        Assert.Equal(West, d.Target!.Value.Cluster);
        Assert.Contains("left the election", d.Transition);
        Assert.Null(d.Cluster(East));
        // Re-created: a new cluster is a spec change, so it takes over at once.
        w.Add(East, "us-east-1", 1);
        Assert.Equal(East, w.Advance(Sec).Step().Target!.Value.Cluster);
        Assert.NotNull(deleted);
    }

    [Fact]
    public void Unhealthy_primary_hands_over_and_the_guide_fix_of_disabling_health_checks_brings_it_back()
    {
        var w = Guide().Spec(East, s => s with { HealthCheck = new HealthCheckSpec(true, "http://h", "30s", "5s", 3) });
        w.Step();
        w.Health(East, 3);
        Assert.Equal(West, w.Advance(Sec).Step().Target!.Value.Cluster);
        w.Spec(East, s => s with { HealthCheck = s.HealthCheck! with { Enabled = false } });
        Assert.Equal(East, w.Advance(Sec).Step().Target!.Value.Cluster);
    }
}
