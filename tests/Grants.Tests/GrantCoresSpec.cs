using System.Collections.Immutable;
using CsCheck;
using Forge.Protocol;
using Xunit;
using static Forge.Grants.Tests.GrantTestData;

namespace Forge.Grants.Tests;

/// <summary>The pure rules without actors.</summary>
public sealed class GrantCoresSpec
{

    private static ReplicaState Grant(ReplicaState s, long counter, NodeId n, Guid i, TimeSpan now, TermRelease? release = null) =>
        ReplicaCore.AcceptGrant(s, new ReplicaAcceptGrant("p", new TermId(counter, "x"), n, i, Ttl, release, 0), "a", now, Timing).State;

    private static (ReplicaState, ReplicaRenewalVerdict) Renew(ReplicaState s, long counter, NodeId n, Guid i, TimeSpan now)
    {
        var step = ReplicaCore.Renew(s, [new ReplicaRenewalEntry("p", new TermId(counter, "x"), n, i, Ttl)], now, Timing);
        return (step.State, step.Answer[0]);
    }

    [Fact]
    public void A_new_term_waits_for_the_last_renewal_plus_ttl_plus_margin()
    {
        var s = Grant(Empty, 1, N0, I0, S(0));
        (s, var v) = Renew(s, 1, N0, I0, S(1));
        Assert.True(v.Accepted);
        s = Grant(s, 2, N1, I1, S(2));
        Assert.False(Renew(s, 2, N1, I1, S(6.49)).Item2.Accepted);
        Assert.True(Renew(s, 2, N1, I1, S(6.5)).Item2.Accepted);
        Assert.Contains("superseded", Renew(s, 1, N0, I0, S(3)).Item2.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Release_shortcuts_only_a_live_term_never_what_it_inherited()
    {
        var s = Grant(Empty, 1, N0, I0, S(0));
        (s, _) = Renew(s, 1, N0, I0, S(1)); // T1 live, forging until ~6
        s = Grant(s, 2, N1, I1, S(2));        // T2 pending, waits for T1
        s = ReplicaCore.Release(s, new ReplicaReleaseNotice("p", new TermRelease(new TermId(2, "x"), N1, I1), 0), "a").State;
        s = Grant(s, 3, N1, I1, S(2.5));      // T3 over released, never-live T2: still waits for T1
        Assert.False(Renew(s, 3, N1, I1, S(3)).Item2.Accepted);
        Assert.True(Renew(s, 3, N1, I1, S(6.5)).Item2.Accepted);

        var live = Grant(Empty, 1, N0, I0, S(0));
        (live, _) = Renew(live, 1, N0, I0, S(1));
        var release = new TermRelease(new TermId(1, "x"), N0, I0);
        live = Grant(live, 2, N1, I1, S(2), release); // planned handover: no wait
        Assert.True(Renew(live, 2, N1, I1, S(2)).Item2.Accepted);
    }

    [Fact]
    public void Another_incarnation_can_neither_renew_nor_release()
    {
        var s = Grant(Empty, 1, N0, I0, S(0));
        var other = Guid.NewGuid();
        Assert.False(Renew(s, 1, N0, other, S(1)).Item2.Accepted);
        var step = ReplicaCore.Release(s, new ReplicaReleaseNotice("p", new TermRelease(new TermId(1, "x"), N0, other), 0), "a");
        Assert.False(step.Answer.Applied);
    }

    [Fact]
    public void Permission_counts_from_the_send_time_of_its_own_request_only()
    {
        var p = GrantPermission.Start(I0, Timing, TimeSpan.FromMilliseconds(100))
            .Adopt(new Grant("p", N0, I0, new TermId(1, "x"), Ttl, TimeSpan.Zero, ""));
        p = p.RequestSent(7, S(10));
        Assert.False(p.MayForge(S(10)));
        var unsolicited = p.OnRenewed(new Renewed(N0, I0, new TermId(1, "x"), Ttl, 8, ["a", "b"]));
        Assert.False(unsolicited.MayForge(S(11)));
        p = p.OnRenewed(new Renewed(N0, I0, new TermId(1, "x"), Ttl, 7, ["a", "b"]));
        Assert.Equal(S(10) + Ttl - S(0.5) - TimeSpan.FromMilliseconds(100), p.ForgeUntil);
        Assert.True(p.MayForge(S(14.39)));
        Assert.False(p.MayForge(S(14.4)));
        // after a release nothing for that term counts again
        p = p.RequestSent(9, S(12)).End();
        Assert.False(p.OnRenewed(new Renewed(N0, I0, new TermId(1, "x"), Ttl, 9, ["a", "b"])).MayForge(S(12.1)));
        Assert.Equal(p, p.Adopt(new Grant("p", N0, I0, new TermId(1, "x"), Ttl, TimeSpan.Zero, "")));
    }

    [Fact]
    public void Agent_deadline_never_exceeds_the_replica_hold_for_any_ttl_and_drift()
    {
        // the margin rule: an agent clock slow by rho never outlasts a replica clock fast by rho
        Gen.Select(Gen.Int[1, 30_000], Gen.Int[0, 100_000]).Sample((ttlMs, ppm) =>
        {
            var timing = new GrantTiming(TimeSpan.FromMilliseconds(50), 100_000);
            var ttl = TimeSpan.FromMilliseconds(ttlMs);
            var rho = ppm / 1e6;
            var agentReal = timing.AgentForgeFor(ttl, TimeSpan.Zero).TotalMilliseconds / (1 - rho);
            var replicaReal = timing.ReplicaHoldFor(ttl).TotalMilliseconds / (1 + rho);
            Assert.True(agentReal <= replicaReal + 1e-6, $"ttl {ttl}, {ppm} ppm: agent {agentReal} > replica {replicaReal}");
        });
    }

    [Fact]
    public void Majority_counts_distinct_configured_regions()
    {
        var settings = new GrantSettings(["a", "b", "c"], Ttl, S(15), S(0.5), 100_000, TimeSpan.FromMilliseconds(20), S(2), S(1), "/x");
        var proposal = new ProposeTerm("p", N0, I0, Ttl, TermId.None, null, "");
        var t = ProposalTally.Start(proposal, new TermId(1, "x"), settings);
        ReplicaGrantAnswer Ok(string region) => new("p", new TermId(1, "x"), region, true, null, TimeSpan.Zero, new TermId(1, "x"), "", 0);
        t = t.Add(Ok("a")).Add(Ok("a")).Add(Ok("z"));
        Assert.Null(t.Outcome(Timing));
        Assert.IsType<TermGranted>(t.Add(Ok("b")).Outcome(Timing));
    }

    [Fact]
    public void Late_grants_are_learned_only_from_accepted_renewals_of_that_incarnation()
    {
        var settings = new GrantSettings(["a", "b", "c"], Ttl, S(15), S(0.5), 100_000, TimeSpan.FromMilliseconds(20), S(2), S(1), "/x");
        var restarted = Guid.NewGuid();
        var round = RenewalRound.Start(1, [
            new PendingRenewal("x", "p", N0, I0, new TermId(1, "x"), 1),
            new PendingRenewal("y", "p", N0, restarted, new TermId(1, "x"), 1)], settings);
        var answer = new ReplicaRenewalBatchAnswer(1, "a", [
            new ReplicaRenewalVerdict(true, Ttl, new TermId(1, "x"), "renewed"),
            new ReplicaRenewalVerdict(false, Ttl, new TermId(1, "x"), "holder or incarnation does not hold the term")]);
        var learned = RenewalRound.LearnedTerms(round, answer).ToList();
        Assert.Equal(I0, Assert.Single(learned).Request.Incarnation);
    }

    [Fact]
    public void File_store_round_trips_conservatively()
    {
        var dir = Directory.CreateTempSubdirectory("grant-store-");
        try
        {
            var store = new FileReplicaStore(dir.FullName);
            Assert.Null(store.Load(S(0)));
            var s = Grant(Empty, 1, N0, I0, S(100));
            (s, _) = Renew(s, 1, N0, I0, S(101));
            s = Grant(s, 2, N1, I1, S(102)); // waits until 106.5
            store.Save(s, S(102));
            var loaded = store.Load(S(5))!.Pool("p")!; // after a reboot the clock restarted
            Assert.Equal(new TermId(2, "x"), loaded.Term);
            Assert.Equal(S(5) + S(4.5), loaded.ActiveFrom); // the remaining wait restarts in full
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    [Fact]
    public void A_new_replica_directory_initialized_as_never_voted_loads_ready_to_vote_and_refuses_a_second_init()
    {
        var dir = Directory.CreateTempSubdirectory("grant-store-");
        try
        {
            FileReplicaStore.InitializeNew(dir.FullName);
            var loaded = new FileReplicaStore(dir.FullName).Load(S(7))!;
            Assert.False(loaded.Recovering);
            Assert.Empty(loaded.Pools);
            Assert.True(loaded.AmnesiaUntil <= S(7)); // no amnesia hold: a first term activates at once
            var first = Grant(loaded, 1, N0, I0, S(8)).Pool("p")!;
            Assert.Equal(S(8), first.ActiveFrom);

            new FileReplicaStore(dir.FullName).Save(Grant(loaded, 1, N0, I0, S(8)), S(8));
            var refused = Assert.Throws<InvalidOperationException>(() => FileReplicaStore.InitializeNew(dir.FullName));
            Assert.Contains("has voted before", refused.Message);
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    [Fact]
    public void Replica_wire_messages_round_trip()
    {
        IForgeWireMessage[] messages =
        [
            new ReplicaAcceptGrant("p", new TermId(3, "x"), N0, I0, Ttl, new TermRelease(new TermId(2, "y"), N1, I1), 5),
            new ReplicaGrantAnswer("p", new TermId(3, "x"), "a", true, new ReplicaTermView(new TermId(2, "y"), N1, I1, Ttl, true, false, S(1), null), S(2), new TermId(3, "x"), "ok", 5),
            new ReplicaAcceptGrantBatch([new ReplicaAcceptGrant("p", new TermId(3, "x"), N0, I0, Ttl, null, 5),
                new ReplicaAcceptGrant("q", new TermId(1, "x"), N1, I1, Ttl, null, 6, Standalone: true)]),
            new ReplicaGrantAnswerBatch("a", [new ReplicaGrantAnswer("p", new TermId(3, "x"), "a", false, null, S(0), new TermId(4, "y"), "no", 5, S(1))]),
            new ReplicaRenewalBatch(9, [new ReplicaRenewalEntry("p", new TermId(3, "x"), N0, I0, null)]),
            new ReplicaRenewalBatchAnswer(9, "b", [new ReplicaRenewalVerdict(true, Ttl, new TermId(3, "x"), "renewed")]),
            new ReplicaStateTransferReply("c", 1, false, [new ReplicaPoolSnapshot("p", new ReplicaTermView(new TermId(3, "x"), N0, I0, Ttl, false, false, S(1), S(0.5)), S(3))]),
        ];
        foreach (var m in messages)
        {
            var back = WireCodec.Decode(WireCodec.ManifestOf(m), WireCodec.Encode(m));
            Assert.Equal(System.Text.Json.JsonSerializer.Serialize(m, m.GetType(), WireCodec.Json),
                System.Text.Json.JsonSerializer.Serialize(back, back.GetType(), WireCodec.Json));
        }
    }
}
