using System.Collections.Immutable;
using Forge.Arbiter;
using Forge.Decider;
using Forge.Nodes;
using Forge.Protocol;
using Xunit;

namespace Forge.Tests.Arbiter;

/// <summary>The planner's choice of the next step, case by case: wait, revoke (fast path), or propose with or without
/// the holder's verified release.</summary>
public sealed class ArbiterPlannerTests
{
    private static readonly ArbiterSettings Settings = new(TimeSpan.FromMilliseconds(500), TimeSpan.FromSeconds(3),
        TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(3), TimeSpan.FromSeconds(5), 20);
    private static readonly TimeSpan Now = TimeSpan.FromMinutes(10);
    private static readonly NodeId East = new("east", "bp-0");
    private static readonly NodeId West = new("west", "bp-0");
    private static readonly Guid EastRun = Guid.NewGuid();
    private static readonly Guid WestRun = Guid.NewGuid();
    private static readonly TermId Term = new(4, "arbiter-a");

    private static NodeView View(NodeId node, Guid run, bool connected = true) => new("pool1", node, node.Cluster, run, connected,
        true, true, 100, 100, VerifiedForging.Off, SignalOutcome.Verified, 40, TermId.None, new CredentialFingerprint("h", 1, 1, 40),
        null, "c", DateTimeOffset.UtcNow);

    private static PoolRecord Record(CurrentGrant? grant = null, Released? release = null, ArbiterPhase? phase = null,
        TimeSpan? heardAgo = null, bool eastConnected = true) => PoolRecord.Create("pool1") with
    {
        Nodes = ImmutableDictionary<NodeId, NodeView>.Empty.Add(East, View(East, EastRun, eastConnected)).Add(West, View(West, WestRun)),
        NodeHeardAt = ImmutableDictionary<NodeId, TimeSpan>.Empty.Add(East, Now - (heardAgo ?? TimeSpan.Zero)).Add(West, Now),
        Grant = grant,
        HighestTerm = grant?.Term ?? TermId.None,
        Release = release,
        Phase = phase ?? ArbiterPhase.Idle.Instance,
    };

    private static ForgeDecision Decision(NodeId? target, string transition = "spec change") =>
        new(target, true, transition, [], [], DeciderState.Initial);

    private static readonly CurrentGrant EastHolds = new(Term, East, EastRun);
    private static readonly Released EastReleased = new("pool1", East, EastRun, Term, "revoked");

    [Fact]
    public void Nothing_is_proposed_while_a_proposal_or_a_revoke_is_in_flight()
    {
        Assert.Equal("proposal in flight", Why(ArbiterPlanner.Next(Record(phase: new ArbiterPhase.Proposing(West, WestRun, Now - TimeSpan.FromSeconds(1))),
            Decision(West), Now, Settings)));
        Assert.Equal("waiting for the holder's release", Why(ArbiterPlanner.Next(Record(EastHolds, phase: new ArbiterPhase.Revoking(EastHolds, West, Now - TimeSpan.FromSeconds(1))),
            Decision(West), Now, Settings)));
    }

    [Fact]
    public void A_first_grant_is_proposed_with_the_decider_s_cause()
    {
        var p = Assert.IsType<ArbiterStep.Propose>(ArbiterPlanner.Next(Record(), Decision(East, "initial election"), Now, Settings));
        Assert.Equal((East, EastRun, (Released?)null, "initial election"), (p.Target, p.Incarnation, p.Release, p.Reason));
    }

    [Fact]
    public void The_holder_is_kept_while_it_is_the_target()
    {
        Assert.Equal("holder kept", Why(ArbiterPlanner.Next(Record(EastHolds), Decision(East), Now, Settings)));
    }

    [Fact]
    public void A_move_from_a_reachable_holder_revokes_first_then_proposes_with_its_release()
    {
        var revoke = Assert.IsType<ArbiterStep.SendRevoke>(ArbiterPlanner.Next(Record(EastHolds), Decision(West), Now, Settings));
        Assert.Equal((EastHolds, (NodeId?)West), (revoke.From, revoke.Next));

        var p = Assert.IsType<ArbiterStep.Propose>(ArbiterPlanner.Next(Record(EastHolds, EastReleased), Decision(West), Now, Settings));
        Assert.Equal((West, EastReleased, Term), (p.Target, p.Release, p.Above));
        Assert.Equal("planned handover from east/bp-0: spec change", p.Reason);
    }

    [Theory]
    [InlineData("disconnected")]
    [InlineData("not heard from")]
    public void A_holder_out_of_reach_is_replaced_only_once_the_quorum_reports_its_term_quiet(string why)
    {
        // A link drop or a stale view does not say the holder stopped renewing (it may renew through another
        // coordinator); a successor proposed on it alone was, in kill-region runs, granted by an arbiter dying with the
        // region and never told.
        var rec = why == "disconnected" ? Record(EastHolds, eastConnected: false) : Record(EastHolds, heardAgo: TimeSpan.FromSeconds(4));
        Assert.Equal($"east/bp-0 is out of reach; waiting for the quorum to report term {Term} quiet",
            Why(ArbiterPlanner.Next(rec, Decision(West), Now, Settings)));

        var p = Assert.IsType<ArbiterStep.Propose>(ArbiterPlanner.Next(rec with { QuietTerm = Term }, Decision(West), Now, Settings));
        Assert.Null(p.Release);
        Assert.Equal("spec change (no verified release from east/bp-0: the quorum waits out its term)", p.Reason);
    }

    [Theory]
    [InlineData("revoke timed out")]
    [InlineData("quiet")]
    public void A_move_from_a_holder_that_cannot_answer_proposes_without_a_release_and_the_quorum_waits(string why)
    {
        var rec = why switch
        {
            "quiet" => Record(EastHolds) with { QuietTerm = Term }, // its view looks healthy: its entity is elsewhere
            _ => Record(EastHolds, phase: new ArbiterPhase.Revoking(EastHolds, West, Now - TimeSpan.FromSeconds(4))),
        };
        var p = Assert.IsType<ArbiterStep.Propose>(ArbiterPlanner.Next(rec, Decision(West), Now, Settings));
        Assert.Null(p.Release);
        Assert.Equal("spec change (no verified release from east/bp-0: the quorum waits out its term)", p.Reason);
    }

    [Fact]
    public void A_holder_that_released_and_is_still_the_target_is_granted_again_and_the_history_says_so()
    {
        // e.g. its agent was restarted for maintenance (SIGTERM: a verified release), and no other node is better
        var p = Assert.IsType<ArbiterStep.Propose>(ArbiterPlanner.Next(Record(EastHolds, EastReleased), Decision(East), Now, Settings));
        Assert.Equal((East, EastReleased), (p.Target, p.Release));
        Assert.Equal("granted again to east/bp-0 after its verified release: spec change", p.Reason);
    }

    [Fact]
    public void No_target_revokes_a_reachable_holder_and_otherwise_lets_its_term_run_out()
    {
        Assert.IsType<ArbiterStep.SendRevoke>(ArbiterPlanner.Next(Record(EastHolds), Decision(null), Now, Settings));
        Assert.Equal("no target; the holder's term runs out", Why(ArbiterPlanner.Next(Record(EastHolds, eastConnected: false), Decision(null), Now, Settings)));
        Assert.Equal("no target, no holder", Why(ArbiterPlanner.Next(Record(), Decision(null), Now, Settings)));
    }

    private static string Why(ArbiterStep step) => Assert.IsType<ArbiterStep.Nothing>(step).Why;
}
