using System.Collections.Immutable;
using Forge.Protocol;
using Xunit;
using static Forge.Grants.Tests.GrantTestData;

namespace Forge.Grants.Tests;

/// <summary>Which holders have lost their term: the replica's quiet rule, the majority tally, the failover check's bound.</summary>
public sealed class QuietTermsSpec
{
    private static readonly TermId T1 = new(1, "x");
    private static readonly TermId T2 = new(2, "x");
    private static readonly GrantSettings Settings = new(["a", "b", "c"], Ttl, S(15), S(0.5), 100_000, TimeSpan.FromMilliseconds(20), S(2), S(1), "/x");

    private static ReplicaState Grant(ReplicaState s, TermId t, NodeId n, Guid i, TimeSpan now) =>
        ReplicaCore.AcceptGrant(s, new ReplicaAcceptGrant("p", t, n, i, Ttl, null, 0), "a", now, Timing).State;

    private static ReplicaState Renew(ReplicaState s, TermId t, NodeId n, Guid i, TimeSpan now)
    {
        var step = ReplicaCore.Renew(s, [new ReplicaRenewalEntry("p", t, n, i, Ttl)], now, Timing);
        Assert.True(step.Answer[0].Accepted, step.Answer[0].Reason);
        return step.State;
    }

    private static ImmutableArray<ReplicaQuietTerm> Quiet(ReplicaState s, TimeSpan now, int rank = 0) =>
        ReplicaCore.QuietTerms(s, QuietTally.Query(Settings, rank, 1), "a", now, Timing).Terms;

    [Theory]
    // renewed at 1 s; the quiet bound is TTL/2 = 2.5 s, rank k adds k × 1 s
    [InlineData(3.4, 0, false)] // 2.4 s without a renewal: one missed renewal and a late one, a healthy holder
    [InlineData(3.5, 0, true)]  // 2.5 s: two renew intervals (TTL/5) and a half missed
    [InlineData(4.4, 1, false)] // a fallback proposer gives the arbiter one more failover-proposal-timeout
    [InlineData(4.5, 1, true)]
    [InlineData(5.5, 2, true)]
    public void A_renewed_term_is_quiet_after_half_its_ttl_without_renewal_plus_the_fallback_rank(double now, int rank, bool quiet)
    {
        var s = Renew(Grant(Empty, T1, N0, I0, S(0)), T1, N0, I0, S(1));
        var terms = Quiet(s, S(now), rank);
        Assert.Equal(quiet, terms.Length == 1);
        if (quiet) Assert.Equal(S(now - 1), terms[0].QuietFor);
    }

    [Fact]
    public void A_term_waiting_to_activate_is_not_quiet_and_one_never_renewed_is_quiet_from_when_its_first_request_was_due()
    {
        var s = Renew(Grant(Empty, T1, N0, I0, S(0)), T1, N0, I0, S(1));
        s = Grant(s, T2, N1, I1, S(3)); // may be renewed from 1 + 5.5 = 6.5 s; its holder waits 3.5 s × (1 + ρ) on its clock
        // due at 6.5 + 3ρ × 3.5 s = 7.55 s (ρ = 0.1): a holder whose clock runs slow is not quiet for its own wait
        Assert.Empty(Quiet(s, S(6.4)));
        Assert.Empty(Quiet(s, S(10.0)));
        var t = Assert.Single(Quiet(s, S(10.1)));
        Assert.Equal((T2, N1, false), (t.Term, t.Holder, t.Released));
        Assert.InRange(s.Pool("p")!.View(S(10.1), Timing).Quiet!.Value, S(2.549), S(2.551));
        Assert.Null(s.Pool("p")!.View(S(10.1)).Quiet);
    }

    [Fact]
    public void A_late_installed_term_whose_holder_was_refused_as_not_active_yet_is_quiet_from_that_refusal()
    {
        // This replica restarted (its last term live: quiet point load + TTL + margin) and missed T2's grant; T2's holder
        // renews on the majority that granted it, and here its renewal installs T2 late, refused until T1's quiet point.
        var s = Renew(Grant(Empty, T1, N0, I0, S(0)), T1, N0, I0, S(1)); // T1 may be followed from 1 + 5.5 = 6.5 s
        ReplicaState Early(ReplicaState state, double at)
        {
            var step = ReplicaCore.Renew(state, [new ReplicaRenewalEntry("p", T2, N1, I1, Ttl)], S(at), Timing);
            Assert.False(step.Answer[0].Accepted);
            Assert.StartsWith("not active", step.Answer[0].Reason);
            return step.State;
        }
        s = Early(Early(s, 2), 3); // the holder is cut off right after
        // quiet from the last refused renewal (3 s), not from the activation here (6.5 s + 3ρ of the 4.5 s wait)
        Assert.Equal(S(2.5), Assert.Single(Quiet(s, S(5.5))).QuietFor);
        Assert.Empty(Quiet(s, S(5.4)));
        // another holder's (or incarnation's) refused renewal is no sign of this holder
        var other = ReplicaCore.Renew(s, [new ReplicaRenewalEntry("p", T2, N0, I0, Ttl)], S(5.4), Timing).State;
        Assert.Equal(S(2.5), Assert.Single(Quiet(other, S(5.5))).QuietFor);
        // and once the holder renews here, as before: from its last renewal
        s = Renew(s, T2, N1, I1, S(7));
        Assert.Empty(Quiet(s, S(9.4)));
    }

    [Fact]
    public void A_first_term_after_the_amnesia_wait_is_not_quiet_while_its_holder_waits_its_stretched_hint()
    {
        // a fresh deployment: every replica waits max-ttl + margin (33 s) before any renewal; the first holder's hint is
        // 33 s × 1.1 (it requested 32 s after the grant on a loaded sandbox): not "lost" before it could ask
        var s = ReplicaCore.Recover([], S(0), Timing, S(30));
        s = Grant(s, T1, N0, I0, S(0.5));
        Assert.Empty(Quiet(s, S(36.3 + 2.4)));
    }

    [Fact]
    public void A_released_term_is_reported_with_its_flag_and_a_recovering_replica_reports_nothing()
    {
        var s = Renew(Grant(Empty, T1, N0, I0, S(0)), T1, N0, I0, S(1));
        s = ReplicaCore.Release(s, new ReplicaReleaseNotice("p", new TermRelease(T1, N0, I0), 1), "a").State;
        Assert.True(Assert.Single(Quiet(s, S(4))).Released);
        var recovering = ReplicaCore.QuietTerms(ReplicaState.Fresh, QuietTally.Query(Settings, 0, 1), "a", S(100), Timing);
        Assert.True(recovering.Recovering);
        Assert.Empty(recovering.Terms);
    }

    private static ReplicaQuietTerms Answer(string region, params (TermId Term, NodeId Holder, double Quiet)[] terms) =>
        new(region, false, [.. terms.Select(t => new ReplicaQuietTerm("p", t.Term, t.Holder, I0, Ttl, false, S(t.Quiet)))], 1);

    [Fact]
    public void A_term_is_quiet_only_when_a_majority_of_distinct_configured_regions_report_that_same_term()
    {
        // one region, twice, or with a stranger: no majority
        Assert.Empty(QuietTally.Majority([Answer("a", (T1, N0, 3)), Answer("a", (T1, N0, 3)), Answer("z", (T1, N0, 3))], Settings));
        // two regions but different terms, each its own only (the exact count the arbiter's current-terms query uses)
        Assert.Empty(QuietTally.Current([Answer("a", (T1, N0, 3)), Answer("b", (T2, N1, 3))], Settings));
        // a recovering replica does not vote
        Assert.Empty(QuietTally.Majority([Answer("a", (T1, N0, 3)), Answer("b", (T1, N0, 3)) with { Recovering = true }], Settings));
        // a majority: quiet for as long as the majority agrees (the second longest of three)
        var t = Assert.Single(QuietTally.Majority([Answer("a", (T1, N0, 4)), Answer("b", (T1, N0, 2.6)), Answer("c", (T1, N0, 3))], Settings));
        Assert.Equal((T1, S(3)), (t.Term, t.QuietFor));
        Assert.Equal(["a", "b", "c"], t.Regions.ToArray());
        // the third region unreachable (no answer): the two others decide
        Assert.Single(QuietTally.Majority([Answer("b", (T1, N0, 3)), Answer("c", (T1, N0, 3))], Settings));
    }

    [Fact]
    public void A_region_reporting_an_older_term_of_the_pool_quiet_votes_for_the_newer_one()
    {
        // a missed T2's grant (it rejoined just before the cut) and has accepted nothing of T1 for 9 s; b holds T2
        var t = Assert.Single(QuietTally.Majority([Answer("a", (T1, N0, 9)), Answer("b", (T2, N1, 2.6))], Settings));
        Assert.Equal((T2, N1, S(2.6)), (t.Term, t.Holder, t.QuietFor));
        Assert.Equal(["a", "b"], t.Regions.ToArray());
        // the newer term on one region, the other replica recovering: no vote, older or not
        Assert.Empty(QuietTally.Majority([Answer("a", (T2, N1, 3)), Answer("b", (T2, N1, 3)) with { Recovering = true }], Settings));
        // two regions at T1, the third at T2: the pool's newest quiet term only
        t = Assert.Single(QuietTally.Majority([Answer("a", (T1, N0, 9)), Answer("b", (T1, N0, 9)), Answer("c", (T2, N1, 3))], Settings));
        Assert.Equal((T2, 3), (t.Term, t.Regions.Length));
        // the older term's release is not the newer one's
        var released = new ReplicaQuietTerms("a", false, [new ReplicaQuietTerm("p", T1, N0, I0, Ttl, true, S(9))], 1);
        Assert.False(Assert.Single(QuietTally.Majority([released, Answer("b", (T2, N1, 3))], Settings)).Released);
        // the current-terms count is exact: the older term's holder may be the one renewing, T2 only a minority's
        Assert.Empty(QuietTally.Current([Answer("a", (T1, N0, 0)), Answer("b", (T2, N1, 0))], Settings));
        Assert.Equal(T1, Assert.Single(QuietTally.Current([Answer("a", (T1, N0, 0)), Answer("b", (T1, N0, 0)), Answer("c", (T2, N1, 0))], Settings)).Term);
        // settled with the older vote counted: nothing a silent c says can take T2's majority away
        Assert.True(QuietTally.Settled([Answer("a", (T1, N0, 9)), Answer("b", (T2, N1, 3))], Settings));
        Assert.False(QuietTally.Settled([Answer("a", (T1, N0, 9)), Answer("b", (T2, N1, 3))], Settings, olderVotes: false));
    }

    [Fact]
    public void A_replica_that_missed_the_current_grant_and_the_majority_that_holds_it_find_the_holder_quiet_when_it_is_cut_off()
    {
        // Session 8's 22.5 s partition run, on the real replica rules: region a's replica was down while T2 was granted
        // and came back holding T1; T2's holder (region c) renews on b and c only, then c is cut off at 20 s.
        var a = Renew(Grant(Empty, T1, N0, I0, S(0)), T1, N0, I0, S(1));
        var b = Grant(a, T2, N1, I1, S(10));
        for (var at = 16.0; at <= 20; at++) b = Renew(b, T2, N1, I1, S(at));
        ReplicaQuietTerms At(string region, ReplicaState s, double now) =>
            ReplicaCore.QuietTerms(s, QuietTally.Query(Settings, 0, 1), region, S(now), Timing);
        Assert.Empty(QuietTally.Majority([At("a", a, 22.4), At("b", b, 22.4)], Settings)); // 2.4 s: a healthy holder may be late
        var t = Assert.Single(QuietTally.Majority([At("a", a, 22.5), At("b", b, 22.5)], Settings));
        Assert.Equal((T2, N1, S(2.5)), (t.Term, t.Holder, t.QuietFor));
        Assert.Equal(FailoverCheck.Verdict.Stalled, FailoverCheck.Decide(T2,
            Statuses(("a", a.Pool("p")!.View(S(22.5), Timing)), ("b", b.Pool("p")!.View(S(22.5), Timing))), Settings));
    }

    private static ReplicaQuietTerms[] Answers(string spec) =>
        // "a:1 b:12 c:-" = region a reports T1 quiet, b reports T1 and T2 (another pool), c answered with nothing;
        // "a:r" = a recovering replica; a region not listed has not answered
        [.. spec.Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(x => x.Split(':')).Select(x => x[1] == "r"
            ? new ReplicaQuietTerms(x[0], true, [], 1)
            : new ReplicaQuietTerms(x[0], false, [.. x[1].Where(char.IsDigit).Select(d => d == '1'
                ? new ReplicaQuietTerm("p", T1, N0, I0, Ttl, false, S(3))
                : new ReplicaQuietTerm("q", T2, N1, I1, Ttl, false, S(3)))], 1))];

    [Theory]
    [InlineData("a:1", false)]           // two regions silent: they alone could make a majority
    [InlineData("a:-", false)]           // nothing quiet so far, but b and c could both report a term
    [InlineData("a:r", false)]           // a recovering replica does not vote: b and c still decide
    [InlineData("a:1 b:1", true)]        // T1 has its majority: c, cut off, cannot change it
    [InlineData("a:- b:-", true)]        // nothing quiet on two of three: c alone makes no majority
    [InlineData("a:1 b:-", false)]       // T1 on one of two: c decides
    [InlineData("a:1 b:r", false)]       // the recovering one does not count: c decides
    [InlineData("a:12 b:1", false)]      // T1 settled, T2 (another pool) still open
    [InlineData("a:12 b:12", true)]
    [InlineData("a:1 b:- c:-", true)]    // everyone answered: always settled
    [InlineData("a:1 a:1", false)]       // one region twice is one answer
    [InlineData("a:1 z:1", false)]       // a region not configured is no answer
    public void The_quiet_verdict_is_given_once_the_silent_regions_cannot_change_it(string answers, bool settled) =>
        Assert.Equal(settled, QuietTally.Settled(Answers(answers), Settings));

    [Theory]
    [InlineData("a:1 b:1")]
    [InlineData("a:- b:-")]
    [InlineData("a:12 b:12")]
    public void A_settled_verdict_is_the_one_every_answer_would_give(string answers)
    {
        var early = QuietTally.Majority(Answers(answers), Settings);
        foreach (var late in new[] { "c:-", "c:1", "c:2", "c:12", "c:r" })
            Assert.Equal(early.Select(t => (t.PoolId, t.Term)), QuietTally.Majority([.. Answers(answers), .. Answers(late)], Settings).Select(t => (t.PoolId, t.Term)));
    }

    private static ImmutableDictionary<string, ReplicaStatus> Statuses(params (string Region, ReplicaTermView? View)[] v) =>
        v.ToImmutableDictionary(x => x.Region, x => new ReplicaStatus("p", x.Region, x.View, false, 1));

    private static ReplicaTermView View(TermId t, double? quiet, bool released = false) =>
        new(t, N0, I0, Ttl, true, released, S(10), quiet is { } q ? S(q) : null, false, quiet is { } q2 ? S(q2) : null);

    [Theory]
    [InlineData(2.4, 2.4, FailoverCheck.Verdict.NotStalled)]
    [InlineData(2.5, 2.4, FailoverCheck.Verdict.Undecided)] // the third region decides
    [InlineData(2.5, 2.5, FailoverCheck.Verdict.Stalled)]
    public void The_failover_check_confirms_a_term_quiet_for_half_its_ttl_on_a_majority(double a, double b, FailoverCheck.Verdict expected) =>
        Assert.Equal(expected, FailoverCheck.Decide(T1, Statuses(("a", View(T1, a)), ("b", View(T1, b))), Settings));

    [Fact]
    public void The_failover_check_never_replaces_a_successor_and_takes_releases_at_once()
    {
        Assert.Equal(FailoverCheck.Verdict.NotStalled,
            FailoverCheck.Decide(T1, Statuses(("a", View(T2, 9)), ("b", View(T2, 9))), Settings));
        Assert.Equal(FailoverCheck.Verdict.Stalled,
            FailoverCheck.Decide(T1, Statuses(("a", View(T1, 0.1, released: true)), ("b", View(T1, 0.1, released: true))), Settings));
    }

    [Theory]
    [InlineData(9, 2.5, FailoverCheck.Verdict.Stalled)]    // a never accepted T2's renewals and none of T1 for 9 s
    [InlineData(2.4, 2.5, FailoverCheck.Verdict.Undecided)] // a's T1 renewed 2.4 s ago: its holder may still be renewing
    [InlineData(9, 2.4, FailoverCheck.Verdict.Undecided)]
    public void The_failover_check_counts_a_region_at_an_older_quiet_term(double olderQuiet, double quiet, FailoverCheck.Verdict expected) =>
        Assert.Equal(expected, FailoverCheck.Decide(T2, Statuses(("a", View(T1, olderQuiet)), ("b", View(T2, quiet))), Settings));

    [Theory]
    [InlineData(0.4)]
    [InlineData(1.01)]
    public void The_quiet_fraction_must_mean_at_least_two_missed_renewals(double fraction) =>
        Assert.Throws<ArgumentException>(() =>
            new GrantSettings(["a", "b", "c"], Ttl, S(15), S(0.5), 100_000, TimeSpan.FromMilliseconds(20), S(2), S(1), "/x", fraction));

    [Fact]
    public void Quiet_query_wire_messages_round_trip()
    {
        IForgeWireMessage[] messages =
        [
            QuietTally.Query(Settings, 2, 7),
            new ReplicaQuietTerms("b", false, [new ReplicaQuietTerm("p", T1, N0, I0, Ttl, true, S(2.75))], 7),
            new ReplicaStatus("p", "a", View(T1, 3), false, 8),
        ];
        foreach (var m in messages)
        {
            var back = WireCodec.Decode(WireCodec.ManifestOf(m), WireCodec.Encode(m));
            Assert.Equal(System.Text.Json.JsonSerializer.Serialize(m, m.GetType(), WireCodec.Json),
                System.Text.Json.JsonSerializer.Serialize(back, back.GetType(), WireCodec.Json));
        }
    }
}
