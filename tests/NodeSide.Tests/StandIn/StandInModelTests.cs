using Forge.StandIn.Chain;
using Forge.StandIn.Credentials;
using Forge.StandIn.Forging;

namespace Forge.NodeSide.Tests.StandIn;

/// <summary>The stand-in's pure parts: slot clock, leader schedule, sync model, reconfiguration rules.</summary>
public class StandInModelTests
{
    private static readonly OperationalCertificate Cert = new(3, 10);

    [Fact]
    public void Slot_numbers_come_from_the_shared_epoch()
    {
        var clock = new SlotClock(EpochUnixMs: 1_000_000, SlotMs: 100);
        Assert.Equal((0L, 0L, 9L, 10L), (clock.SlotAt(900_000), clock.SlotAt(1_000_099), clock.SlotAt(1_000_999), clock.SlotAt(1_001_000)));
        Assert.Equal(1_001_000, clock.SlotStartUnixMs(10));
    }

    [Fact]
    public void Leader_schedule_is_deterministic_per_pool_and_near_its_fraction()
    {
        var a = new LeaderSchedule("pool1", 0.3);
        var b = new LeaderSchedule("pool1", 0.3);
        var led = Enumerable.Range(0, 10_000).Count(s => a.IsLeader(s));
        Assert.InRange(led, 2_700, 3_300);
        Assert.All(Enumerable.Range(0, 500), s => Assert.Equal(a.IsLeader(s), b.IsLeader(s)));
        Assert.NotEqual(Enumerable.Range(0, 200).Select(s => a.IsLeader(s)),
            Enumerable.Range(0, 200).Select(s => new LeaderSchedule("pool2", 0.3).IsLeader(s)));
        Assert.True(new LeaderSchedule("p", 1.0).IsLeader(12345));
        Assert.False(new LeaderSchedule("p", 0.0).IsLeader(12345));
    }

    [Fact]
    public void Tip_catches_up_at_its_rate_and_synced_uses_the_shared_definition()
    {
        var sync = new SyncModel(StartSlot: 1000, StartBehindSlots: 500, CatchupRate: 100, MaxLagSlots: 10);
        Assert.Equal(500, sync.TipAt(1000, 0));
        Assert.Equal(750, sync.TipAt(1010, 2.5));
        Assert.Equal(1020, sync.TipAt(1020, 60));
        Assert.False(sync.IsSynced(989, 1000));
        Assert.True(sync.IsSynced(990, 1000));
    }

    [Fact]
    public void Sighup_rules_follow_cardano_node()
    {
        var down = new NodeState { KernelUp = false };
        var off = new NodeState { KernelUp = true };
        var on = off with { Forging = true, OpCert = Cert };
        CredentialCheck valid = new CredentialCheck.Valid(Cert), missing = new CredentialCheck.Missing("k"),
            invalid = new CredentialCheck.Invalid("v", "perm");

        var calls = 0;
        var (s0, o0) = ForgingReconfiguration.OnSighup(down, () => { calls++; return valid; });
        Assert.Equal((SighupOutcome.TopologyOnly, false, 0), (o0, s0.Forging, calls)); // files not even read

        Assert.Equal((SighupOutcome.Enabled, true), Pair(ForgingReconfiguration.OnSighup(off, () => valid)));
        Assert.Equal((SighupOutcome.Disabled, false), Pair(ForgingReconfiguration.OnSighup(on, () => missing)));
        Assert.Equal((SighupOutcome.Error, true), Pair(ForgingReconfiguration.OnSighup(on, () => invalid)));
        Assert.Equal((SighupOutcome.Error, false), Pair(ForgingReconfiguration.OnSighup(off, () => invalid)));
    }

    [Fact]
    public void Metric_bug_reports_forging_after_a_non_producing_start_until_the_first_reconfiguration()
    {
        var up = ForgingReconfiguration.OnKernelUp(new NodeState(), startNonProducing: true, metricBug: true);
        Assert.Equal((false, true), (up.Forging, up.ForgingMetric));
        var (after, _) = ForgingReconfiguration.OnSighup(up, () => new CredentialCheck.Missing("k"));
        Assert.Equal((false, false), (after.Forging, after.ForgingMetric));
        Assert.False(ForgingReconfiguration.OnKernelUp(new NodeState(), true, metricBug: false).ForgingMetric);
        Assert.True(ForgingReconfiguration.OnKernelUp(new NodeState(), false, false).Forging);
    }

    [Fact]
    public void Forges_each_led_slot_once_and_only_while_forging()
    {
        var on = new NodeState { KernelUp = true, Forging = true };
        var (s1, f1) = ForgingReconfiguration.OnSlot(on, 10, isLeader: true, tipSlot: 9);
        var (s2, f2) = ForgingReconfiguration.OnSlot(s1, 10, isLeader: true, tipSlot: 10);
        var (s3, f3) = ForgingReconfiguration.OnSlot(s2, 11, isLeader: false, tipSlot: 10);
        var (_, f4) = ForgingReconfiguration.OnSlot(s3 with { Forging = false }, 12, isLeader: true, tipSlot: 11);
        Assert.Equal((true, false, false, false), (f1, f2, f3, f4));
        Assert.Equal((1L, 1L, 1L), (s3.Forged, s3.NodeIsLeader, s3.NodeNotLeader));
    }

    [Fact]
    public void Kes_periods_remaining()
    {
        var kes = new KesPeriods(SlotsPerKesPeriod: 100, MaxEvolutions: 62);
        Assert.Equal((5L, 72L, 67L), (kes.CurrentPeriod(599), kes.ExpiryPeriod(10), kes.Remaining(10, 599)));
    }

    private static (SighupOutcome, bool) Pair((NodeState State, SighupOutcome Outcome) r) => (r.Outcome, r.State.Forging);
}
