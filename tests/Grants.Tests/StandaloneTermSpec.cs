using System.Collections.Immutable;
using Akka.Actor;
using Akka.TestKit.Xunit2;
using Forge.Protocol;
using Xunit;

namespace Forge.Grants.Tests;

/// <summary>
/// Standalone regions (single-cluster mode, issue 3): a standalone term is accepted only while no other term may still
/// forge, then holds every other proposal off until it is released or lapses; its renewals go through the batcher like
/// any term's. Pure rules first, then proposer + batcher + three replicas in one ActorSystem.
/// </summary>
public sealed class StandaloneTermSpec : TestKit
{
    private static readonly GrantTiming Timing = new(TimeSpan.FromMilliseconds(500), 100_000);
    private static readonly TimeSpan Ttl = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan Lease = TimeSpan.FromSeconds(15);
    private static readonly NodeId Arbitered = new("us-west-2-prod", "bp-0");
    private static readonly NodeId LeaseLeader = new("eu-west-1-prod", "bp-0");
    private static readonly NodeId OtherRegion = new("us-east-1-prod", "bp-0");
    private static readonly Guid I0 = Guid.NewGuid();
    private static readonly Guid I1 = Guid.NewGuid();
    private static readonly Guid I2 = Guid.NewGuid();
    private static readonly ReplicaState Empty = ReplicaState.Fresh with { Recovering = false };

    private static TimeSpan S(double seconds) => TimeSpan.FromSeconds(seconds);

    private static ReplicaCore.Step<ReplicaGrantAnswer> Grant(ReplicaState s, long counter, NodeId n, Guid i, TimeSpan ttl, TimeSpan now,
        bool standalone, TermRelease? release = null) =>
        ReplicaCore.AcceptGrant(s, new ReplicaAcceptGrant("p", new TermId(counter, "x"), n, i, ttl, release, 0, standalone), "a", now, Timing);

    private static (ReplicaState, ReplicaRenewalVerdict) Renew(ReplicaState s, long counter, NodeId n, Guid i, TimeSpan now)
    {
        var step = ReplicaCore.Renew(s, [new ReplicaRenewalEntry("p", new TermId(counter, "x"), n, i, null)], now, Timing);
        return (step.State, step.Answer[0]);
    }

    [Fact]
    public void A_standalone_request_is_refused_while_another_term_may_still_forge_and_accepted_once_it_lapsed()
    {
        var s = Grant(Empty, 1, Arbitered, I0, Ttl, S(0), standalone: false).State;
        (s, _) = Renew(s, 1, Arbitered, I0, S(1)); // live, quiet from 1 + 5 + 0.5 = 6.5

        var refused = Grant(s, 2, LeaseLeader, I1, Lease, S(3), standalone: true);
        Assert.False(refused.Answer.Accepted);
        Assert.Equal(S(3.5), refused.Answer.HeldFor);
        Assert.Equal(new TermId(1, "x"), refused.Answer.Highest);
        Assert.Contains("may still forge", refused.Answer.Reason, StringComparison.Ordinal);

        var accepted = Grant(s, 2, LeaseLeader, I1, Lease, S(6.5), standalone: true);
        Assert.True(accepted.Answer.Accepted);
        Assert.True(accepted.State.Pool("p")!.Standalone);
        Assert.True(accepted.Persist);
    }

    [Fact]
    public void A_released_term_gives_way_to_a_standalone_request_at_once()
    {
        var s = Grant(Empty, 1, Arbitered, I0, Ttl, S(0), standalone: false).State;
        (s, _) = Renew(s, 1, Arbitered, I0, S(1));
        s = ReplicaCore.Release(s, new ReplicaReleaseNotice("p", new TermRelease(new TermId(1, "x"), Arbitered, I0), 1), "a").State;
        Assert.True(Grant(s, 2, LeaseLeader, I1, Lease, S(2), standalone: true).Answer.Accepted);
    }

    [Fact]
    public void A_standalone_term_holds_every_other_proposal_off_until_it_lapses_or_is_released()
    {
        var s = Grant(Empty, 1, LeaseLeader, I1, Lease, S(0), standalone: true).State;
        (s, var v) = Renew(s, 1, LeaseLeader, I1, S(1));
        Assert.True(v.Accepted);
        // exclusive until its last renewal + lease + margin (15 s × 10 % = 1.5 s) = 17.5 s
        foreach (var standalone in new[] { false, true })
        {
            var held = Grant(s, 2, OtherRegion, I2, Ttl, S(10), standalone);
            Assert.False(held.Answer.Accepted);
            Assert.Equal(S(7.5), held.Answer.HeldFor);
            Assert.Contains("standalone region term 1@x", held.Answer.Reason, StringComparison.Ordinal);
            Assert.False(held.Persist);
        }
        // each renewal pushes the hold on
        (s, _) = Renew(s, 1, LeaseLeader, I1, S(12));
        Assert.False(Grant(s, 2, OtherRegion, I2, Ttl, S(17.5), standalone: false).Answer.Accepted);
        // renewals stopped: lapsed one hold after the last one; the new term still waits out the same quiet point
        var after = Grant(s, 2, OtherRegion, I2, Ttl, S(28.5), standalone: false);
        Assert.True(after.Answer.Accepted);
        Assert.Equal(TimeSpan.Zero, after.Answer.ActivationRemaining);

        // a verified release ends the hold at once (planned handover back to the arbiter)
        var released = ReplicaCore.Release(s, new ReplicaReleaseNotice("p", new TermRelease(new TermId(1, "x"), LeaseLeader, I1), 2), "a").State;
        Assert.True(Grant(released, 2, OtherRegion, I2, Ttl, S(13), standalone: false).Answer.Accepted);
    }

    [Fact]
    public void A_standalone_term_never_renewed_holds_for_one_hold_after_its_activation_and_its_holder_may_ask_again()
    {
        var s = Grant(Empty, 1, LeaseLeader, I1, Lease, S(0), standalone: true).State;
        Assert.False(Grant(s, 2, Arbitered, I0, Ttl, S(16), standalone: false).Answer.Accepted);
        Assert.True(Grant(s, 2, Arbitered, I0, Ttl, S(16.5), standalone: false).Answer.Accepted);
        // the same incarnation asking again (its first answer was lost) is not held off by its own term
        Assert.True(Grant(s, 2, LeaseLeader, I1, Lease, S(1), standalone: true).Answer.Accepted);
    }

    [Fact]
    public void Ordinary_terms_keep_their_old_rules()
    {
        var s = Grant(Empty, 1, Arbitered, I0, Ttl, S(0), standalone: false).State;
        (s, _) = Renew(s, 1, Arbitered, I0, S(1));
        var next = Grant(s, 2, OtherRegion, I2, Ttl, S(2), standalone: false);
        Assert.True(next.Answer.Accepted); // accepted at once, made to wait by the renewal rule
        Assert.Equal(S(4.5), next.Answer.ActivationRemaining);
        Assert.Equal(TimeSpan.Zero, next.Answer.HeldFor);
    }

    [Fact]
    public void The_standalone_flag_survives_the_disk_and_a_state_transfer()
    {
        var s = Grant(Empty, 1, LeaseLeader, I1, Lease, S(0), standalone: true).State;
        var store = new MemoryReplicaStore();
        store.Save(s, S(0));
        Assert.True(store.Load(S(1))!.Pool("p")!.Standalone);
        var snapshot = ReplicaCore.Snapshot(s, "b", 1, S(0), Timing);
        var recovered = ReplicaCore.Recover([snapshot], S(2), Timing, S(30));
        Assert.True(recovered.Pool("p")!.Standalone);
        // an older file or peer without the field decodes as an ordinary term
        var old = System.Text.Json.JsonSerializer.Deserialize<ReplicaDurablePool>(
            """{"poolId":"p","term":{"counter":1,"proposerId":"x"},"holder":"c/p","incarnation":"6f1c2a9e-4a58-4d0b-9a51-0c3b8e7d2f11","ttl":"00:00:05","live":true,"released":false,"activeRemaining":"00:00:00"}""",
            WireCodec.Json)!;
        Assert.False(old.Standalone);
    }

    [Fact]
    public void Revision_1_messages_decode_without_the_new_fields_and_the_new_ones_round_trip()
    {
        // as a revision-1 coordinator or replica writes them (no revision, standalone, heldFor fields)
        var registered = (AgentRegistered)WireCodec.Decode("Protocol.AgentRegistered",
            """{"node":"eu/bp-0","incarnation":"6f1c2a9e-4a58-4d0b-9a51-0c3b8e7d2f11","coordinatorId":"coord-1"}"""u8);
        Assert.Equal(1, registered.Revision);
        var grant = (ReplicaAcceptGrant)WireCodec.Decode("Grants.ReplicaAcceptGrant",
            """{"poolId":"p","term":{"counter":2,"proposerId":"x"},"holder":"eu/bp-0","incarnation":"6f1c2a9e-4a58-4d0b-9a51-0c3b8e7d2f11","ttl":"00:00:05","previousRelease":null,"correlationId":4}"""u8);
        Assert.False(grant.Standalone);
        var answer = (ReplicaGrantAnswer)WireCodec.Decode("Grants.ReplicaGrantAnswer",
            """{"poolId":"p","term":{"counter":2,"proposerId":"x"},"region":"a","accepted":false,"previous":null,"activationRemaining":"00:00:00","highest":{"counter":3,"proposerId":"y"},"reason":"not above","correlationId":4}"""u8);
        Assert.Equal(TimeSpan.Zero, answer.HeldFor);

        IForgeWireMessage[] added =
        [
            new StandaloneTermRequest("p", LeaseLeader, "eu-west-1", I1, Lease, 3),
            new StandaloneTermRequest("p", LeaseLeader, "eu-west-1", I1, Lease, 4, new TermId(2, "lease:x")),
            new StandaloneTermRefused(LeaseLeader, I1, 3, StandaloneRefusal.HeldByLiveTerm, new TermId(4, "y"), "held"),
            new AgentRegistered(LeaseLeader, I1, "coord-eu", AgentProtocol.Revision),
            new ReplicaAcceptGrant("p", new TermId(3, "x"), LeaseLeader, I1, Lease, null, 5, Standalone: true),
            new ReplicaGrantAnswer("p", new TermId(3, "x"), "a", false, null, TimeSpan.Zero, new TermId(3, "x"), "held", 5, S(16.5)),
        ];
        foreach (var m in added)
        {
            var back = WireCodec.Decode(WireCodec.ManifestOf(m), WireCodec.Encode(m));
            Assert.Equal(m, back);
        }
    }

    [Fact]
    public void Tally_reports_the_shortest_hold_and_the_holding_term()
    {
        var settings = Settings;
        var p = ProposeTerm.Standalone("p", OtherRegion, I2, Lease, TermId.None);
        var t = ProposalTally.Start(p, new TermId(3, "x"), settings);
        ReplicaGrantAnswer Held(string region, double s) =>
            new("p", new TermId(3, "x"), region, false, null, TimeSpan.Zero, new TermId(2, "y"), "held", 0, S(s));
        t = t.Add(Held("a", 9)).Add(Held("b", 7));
        var outcome = Assert.IsType<TermNotGranted>(t.Outcome(settings.Timing));
        Assert.Equal(S(7), outcome.HeldFor);
        Assert.Equal(new TermId(2, "y"), outcome.HeldBy);
    }

    private static readonly GrantSettings Settings = new(["a", "b", "c"], Ttl, TimeSpan.FromSeconds(30),
        TimeSpan.FromMilliseconds(500), 100_000, TimeSpan.FromMilliseconds(20), TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(1), "/unused");

    private sealed class ManualClock : IMonotonicClock
    {
        public TimeSpan Now { get; set; } = TimeSpan.FromSeconds(100);
    }

    [Fact]
    public void Standalone_term_is_renewed_through_the_batcher_and_holds_the_arbiters_proposals_off()
    {
        var clock = new ManualClock();
        var refs = new Dictionary<string, IActorRef>();
        ReplicaDirectory dir = region => refs[region];
        foreach (var r in Settings.Regions)
        {
            var store = new MemoryReplicaStore();
            store.Save(Empty, TimeSpan.Zero);
            refs[r] = Sys.ActorOf(GrantReplicaActor.Props(Settings, r, store, dir, clock), $"replica-{r}");
        }
        // the agent gateway's proposer and the arbiter's are different coordinators
        var gatewayProposer = Sys.ActorOf(GrantProposerActor.Props(Settings, "coord-eu", dir));
        var arbiterProposer = Sys.ActorOf(GrantProposerActor.Props(Settings, "coord-us", dir));
        var batcher = Sys.ActorOf(RenewalBatcherActor.Props(Settings, dir));

        gatewayProposer.Tell(ProposeTerm.Standalone("p", LeaseLeader, I1, Lease, TermId.None));
        var granted = ExpectMsg<TermGranted>();
        Assert.True(granted.AcceptedByRegions.Length >= Settings.Majority);
        var term = granted.Term;

        batcher.Tell(new GrantRequest("p", LeaseLeader, I1, term, 1));
        var renewed = ExpectMsg<Renewed>();
        Assert.Equal(1, renewed.RequestId);
        Assert.Equal(Lease, renewed.Ttl);

        // the arbiter proposes for another region: refused with the hold, twice (it learned the higher term)
        arbiterProposer.Tell(new ProposeTerm("p", OtherRegion, I2, Ttl, TermId.None, null, "priority"));
        var held = ExpectMsg<TermNotGranted>();
        Assert.True(held.HeldFor > TimeSpan.FromSeconds(16), held.ToString());
        Assert.Equal(term, held.HeldBy);
        arbiterProposer.Tell(new ProposeTerm("p", OtherRegion, I2, Ttl, held.HighestSeen, null, "priority"));
        Assert.True(ExpectMsg<TermNotGranted>().HeldFor > TimeSpan.Zero);
        // a second standalone region is refused as well
        gatewayProposer.Tell(ProposeTerm.Standalone("p", OtherRegion, I2, Lease, TermId.None));
        Assert.Equal(term, ExpectMsg<TermNotGranted>().HeldBy);

        // the standalone holder keeps renewing through the batcher
        clock.Now += S(10);
        batcher.Tell(new Renew("p", LeaseLeader, I1, term, 2));
        Assert.Equal(2, ExpectMsg<Renewed>().RequestId);

        // its verified release reaches the replicas through the batcher and frees the pool at once
        batcher.Tell(new Released("p", LeaseLeader, I1, term, "lease released"));
        AwaitAssert(() =>
        {
            arbiterProposer.Tell(new ProposeTerm("p", OtherRegion, I2, Ttl, term, null, "after release"));
            ExpectMsg<TermGranted>(TimeSpan.FromMilliseconds(500));
        }, TimeSpan.FromSeconds(5));
    }
}
