using Forge.Decider;
using Xunit;
using static Forge.Tests.Decider.PoolWorld;

namespace Forge.Tests.Decider;

/// <summary>Stickiness: spec changes and a failing holder move forging now; a recovered cluster waits.</summary>
public sealed class FailbackTests
{
    private static readonly TimeSpan Sec = TimeSpan.FromSeconds(1);

    private static PoolWorld HealthGated()
    {
        var w = Guide();
        foreach (var name in new[] { "us-east-1-prod", "us-west-2-prod", "eu-west-1-prod" })
            w.Spec(name, s => s with { HealthCheck = new HealthCheckSpec(true, "http://h", FailureThreshold: 3) });
        return w;
    }

    [Fact]
    public void Unhealthy_primary_moves_forging_now_and_its_recovery_waits_the_failback_delay()
    {
        var w = HealthGated();
        Assert.Equal("us-east-1-prod", w.Step().Target!.Value.Cluster);

        w.Health("us-east-1-prod", 3).Advance(Sec);
        var d = w.Step();
        Assert.Equal("us-west-2-prod", d.Target!.Value.Cluster);
        Assert.Contains("unhealthy", d.Transition);

        w.Health("us-east-1-prod", 0).Advance(Sec);
        d = w.Step();
        Assert.Equal("us-west-2-prod", d.Target!.Value.Cluster);
        Assert.Equal("FailbackPending", d.Cluster("us-east-1-prod")!.Reason);
        Assert.Equal("True", d.Cluster("us-east-1-prod")!.Condition(ConditionTypes.FailbackPending)!.Status);

        w.Advance(TimeSpan.FromSeconds(59));
        Assert.Equal("us-west-2-prod", w.Step().Target!.Value.Cluster);
        w.Advance(Sec);
        d = w.Step();
        Assert.Equal("us-east-1-prod", d.Target!.Value.Cluster);
        Assert.Contains("failback", d.Transition);
        Assert.Equal("False", d.Cluster("us-east-1-prod")!.Condition(ConditionTypes.FailbackPending)!.Status);
    }

    [Fact]
    public void A_flapping_health_check_doubles_the_delay_each_time_within_an_hour_capped()
    {
        var w = HealthGated();
        w.Step();
        var waits = new List<TimeSpan>();
        for (var flap = 0; flap < 7; flap++)
        {
            w.Health("us-east-1-prod", 3).Advance(Sec);
            Assert.Equal("us-west-2-prod", w.Step().Target!.Value.Cluster);
            w.Health("us-east-1-prod", 0).Advance(Sec);
            w.Step();
            var waited = TimeSpan.Zero;
            while (w.Last!.Target!.Value.Cluster != "us-east-1-prod")
            {
                w.Advance(Sec);
                waited += Sec;
                w.Step();
            }
            waits.Add(waited);
        }
        Assert.Equal([60, 120, 240, 480, 960, 960, 960], waits.Select(t => (int)t.TotalSeconds));
    }

    [Fact]
    public void Recoveries_older_than_the_flap_window_stop_counting()
    {
        var w = HealthGated();
        w.Step();
        w.Health("us-east-1-prod", 3).Advance(Sec).Step();
        w.Health("us-east-1-prod", 0).Advance(Sec).Step();
        w.Advance(TimeSpan.FromSeconds(60)).Step();
        Assert.Equal("us-east-1-prod", w.Last!.Target!.Value.Cluster);
        w.Advance(TimeSpan.FromHours(2));
        w.Health("us-east-1-prod", 3).Advance(Sec).Step();
        w.Health("us-east-1-prod", 0).Advance(Sec).Step();
        w.Advance(TimeSpan.FromSeconds(60)).Step();
        Assert.Equal("us-east-1-prod", w.Last!.Target!.Value.Cluster);
    }

    [Fact]
    public void A_primary_that_becomes_synced_again_waits_but_a_spec_change_does_not()
    {
        var w = Guide();
        Assert.Equal("us-east-1-prod", w.Step().Target!.Value.Cluster);
        w.AllNodes("us-east-1-prod", n => n with { Synced = false });
        Assert.Equal("us-west-2-prod", w.Step().Target!.Value.Cluster);
        w.AllNodes("us-east-1-prod", n => n with { Synced = true }).Advance(Sec);
        Assert.Equal("us-west-2-prod", w.Step().Target!.Value.Cluster);
        // An operator raising eu-west-1-prod's priority is a spec change: it moves at once.
        w.Spec("eu-west-1-prod", s => s with { Priority = 1 }).Advance(Sec);
        // eu-west-1 ties us-east-1 at 1; us-east-1 is first-seen earlier, and is the ranked best.
        var d = w.Step();
        Assert.Equal("us-west-2-prod", d.Target!.Value.Cluster); // best (us-east-1) did not change spec: still waits
        w.Spec("us-west-2-prod", s => s with { Priority = 5 }).Advance(Sec);
        Assert.Equal("us-east-1-prod", w.Step().Target!.Value.Cluster); // holder's own spec changed: moves now
    }

    [Fact]
    public void Health_checks_disabled_counts_as_a_spec_change_and_removes_gating()
    {
        var w = HealthGated();
        w.Step();
        w.Health("us-east-1-prod", 5).Advance(Sec);
        Assert.Equal("us-west-2-prod", w.Step().Target!.Value.Cluster);
        w.Spec("us-east-1-prod", s => s with { HealthCheck = s.HealthCheck! with { Enabled = false } }).Advance(Sec);
        var d = w.Step();
        Assert.Equal("us-east-1-prod", d.Target!.Value.Cluster);
        Assert.True(d.Cluster("us-east-1-prod")!.Healthy);
        Assert.Contains("spec change", d.Transition);
    }

    [Fact]
    public void At_a_cold_start_a_primary_whose_nodes_arrive_late_takes_over_at_once_but_later_recoveries_wait()
    {
        var w = Guide();
        w.AllNodes("us-east-1-prod", n => n with { Alive = false }); // its agents have not registered yet
        Assert.Equal("us-west-2-prod", w.Step().Target!.Value.Cluster);
        w.AllNodes("us-east-1-prod", n => n with { Alive = true }).Advance(Sec);
        var d = w.Step();
        Assert.Equal("us-east-1-prod", d.Target!.Value.Cluster);
        Assert.Contains("first time", d.Transition);
        // Having been eligible once, its next return is a recovery.
        w.AllNodes("us-east-1-prod", n => n with { Synced = false }).Advance(Sec);
        Assert.Equal("us-west-2-prod", w.Step().Target!.Value.Cluster);
        w.AllNodes("us-east-1-prod", n => n with { Synced = true }).Advance(Sec);
        Assert.Equal("us-west-2-prod", w.Step().Target!.Value.Cluster);
        Assert.Equal("FailbackPending", w.Last!.Cluster("us-east-1-prod")!.Reason);
    }

    [Fact]
    public void A_new_arbiter_seeded_with_the_holder_does_not_cut_a_failback_delay_short()
    {
        var w = HealthGated();
        w.Step();
        w.Health("us-east-1-prod", 3).Advance(Sec).Step();
        w.Health("us-east-1-prod", 0).Advance(Sec).Step();
        // Arbiter moves: the new one knows only the holder from the grant quorum.
        w.State = DeciderState.WithHolder(w.Last!.Target);
        Assert.Equal("us-west-2-prod", w.Advance(Sec).Step().Target!.Value.Cluster);
        Assert.Equal("FailbackPending", w.Last!.Cluster("us-east-1-prod")!.Reason);
    }

    [Fact]
    public void The_pending_candidate_losing_its_standing_cancels_the_wait()
    {
        var w = HealthGated();
        w.Step();
        w.Health("us-east-1-prod", 3).Advance(Sec).Step();
        w.Health("us-east-1-prod", 0).Advance(Sec).Step();
        w.AllNodes("us-east-1-prod", n => n with { Alive = false }).Advance(Sec);
        var d = w.Step();
        Assert.Null(d.Next.FailbackCandidate);
        Assert.Equal("us-west-2-prod", d.Target!.Value.Cluster);
    }
}
