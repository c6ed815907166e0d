using System.Collections.Immutable;
using Akka.Actor;
using Akka.TestKit.Xunit2;
using CsCheck;
using Forge.Arbiter;
using Forge.Protocol;
using Xunit;
using static Forge.Grants.Tests.GrantTestData;

namespace Forge.Grants.Tests;

/// <summary>Batched proposals, pure: a batch decides per pool exactly what the same grants one by one decide.</summary>
public sealed class ProposalBatchRulesSpec
{
    private static readonly NodeId[] Nodes = [N0, N1];
    private static readonly Guid[] Incarnations = [I0, I1];

    private static readonly Gen<ReplicaAcceptGrant> AnyGrant =
        Gen.Select(Gen.Int[0, 2], Gen.Int[1, 6], Gen.Int[0, 1], Gen.Bool, Gen.Int[0, 3]).Select((pool, counter, who, standalone, release) =>
            new ReplicaAcceptGrant($"p{pool}", new TermId(counter, "x"), Nodes[who], Incarnations[who], Ttl,
                release == 0 ? new TermRelease(new TermId(counter - 1, "x"), Nodes[1 - who], Incarnations[1 - who]) : null, counter, standalone));

    [Fact]
    public void A_batch_answers_and_changes_each_pool_as_the_same_grants_one_by_one()
    {
        Gen.Select(AnyGrant.Array[1, 12], AnyGrant.Array[0, 6]).Sample((batch, before) =>
        {
            var start = before.Aggregate(Empty, (s, g) => ReplicaCore.AcceptGrant(s, g, "a", S(1), Timing).State);
            var one = start;
            var answers = new List<ReplicaGrantAnswer>();
            foreach (var g in batch)
            {
                var step = ReplicaCore.AcceptGrant(one, g, "a", S(2), Timing);
                one = step.State;
                answers.Add(step.Answer);
            }
            var batched = ReplicaCore.AcceptGrants(start, [.. batch], "a", S(2), Timing);
            Assert.Equal(answers, batched.Answer.ToList());
            Assert.Equal(one.Pools.OrderBy(p => p.Key).ToList(), batched.State.Pools.OrderBy(p => p.Key).ToList());
            Assert.Equal(answers.Where(a => a.Accepted).Select(a => a.PoolId).Distinct().Order().ToList(), batched.Changed.Order().ToList());
        });
    }
}

/// <summary>Batched proposals through the actors: one message and one durable write per replica for many pools, an
/// answer per pool.</summary>
public sealed class ProposalBatchSpec : TestKit
{
    // Round timeouts far beyond the tests' own steps (and so a long TTL: a round must end within it): no test here is
    // about a timeout, and under load a 2 s round ran out before the test had sent its answers (CI, 021aa9c).
    private static readonly GrantSettings Settings = new(["a", "b", "c"], TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(60),
        TimeSpan.FromMilliseconds(500), 100_000, TimeSpan.FromMilliseconds(20), TimeSpan.FromSeconds(25), TimeSpan.FromSeconds(25), "/unused");

    private sealed class FixedClock : IMonotonicClock
    {
        public TimeSpan Now => TimeSpan.FromSeconds(100);
    }

    private static NodeId Node(int pool) => new($"c{pool}", "bp-0");

    private static ReplicaAcceptGrant GrantOf(int pool, long counter) =>
        new($"pool{pool}", new TermId(counter, "p"), Node(pool), I0, Settings.Ttl, null, pool);

    private static MemoryReplicaStore NeverVoted()
    {
        var s = new MemoryReplicaStore();
        s.Save(ReplicaState.NeverVoted, TimeSpan.Zero);
        return s;
    }

    [Fact]
    public void A_replica_answers_a_batch_per_pool_after_one_write_and_restarts_with_it()
    {
        var store = NeverVoted();
        var replica = Sys.ActorOf(GrantReplicaActor.Props(Settings, "a", store, _ => ActorRefs.Nobody, new FixedClock()));
        replica.Tell(GrantOf(2, 5));
        Assert.True(ExpectMsg<ReplicaGrantAnswer>().Accepted);
        var saves = store.Saves;

        replica.Tell(new ReplicaAcceptGrantBatch([GrantOf(1, 1), GrantOf(2, 4), GrantOf(3, 1), GrantOf(3, 2)]));
        var batch = ExpectMsg<ReplicaGrantAnswerBatch>();
        Assert.Equal("a", batch.Region);
        Assert.Equal(saves + 1, store.Saves); // one durable write for the whole batch, before the answer
        Assert.Equal([true, false, true, true], batch.Answers.Select(a => a.Accepted));
        Assert.Equal(new TermId(5, "p"), batch.Answers[1].Highest); // pool2 keeps its higher term
        Assert.Equal([1L, 2, 3, 3], batch.Answers.Select(a => a.CorrelationId));

        var restarted = store.Load(TimeSpan.FromSeconds(1))!;
        Assert.Equal(new TermId(1, "p"), restarted.Pool("pool1")!.Term);
        Assert.Equal(new TermId(5, "p"), restarted.Pool("pool2")!.Term);
        Assert.Equal(new TermId(2, "p"), restarted.Pool("pool3")!.Term);
    }

    [Fact]
    public void A_proposer_sends_many_pools_as_one_round_per_replica_and_answers_each_pool()
    {
        var replicas = Settings.Regions.ToDictionary(r => r, _ => CreateTestProbe());
        var proposer = Sys.ActorOf(GrantProposerActor.Props(Settings, "p", r => replicas[r]));
        proposer.Tell(new ProposeTerms([.. Enumerable.Range(1, 3).Select(p =>
            new ProposeTerm($"pool{p}", Node(p), I0, Settings.Ttl, TermId.None, null, "region lost"))]));

        var sent = replicas.ToDictionary(r => r.Key, r => r.Value.ExpectMsg<ReplicaAcceptGrantBatch>());
        foreach (var probe in replicas.Values) probe.ExpectNoMsg(TimeSpan.FromMilliseconds(100)); // one round, not three
        var grants = sent["a"].Grants;
        Assert.Equal(["pool1", "pool2", "pool3"], grants.Select(g => g.PoolId));
        Assert.Equal(3, grants.Select(g => g.CorrelationId).Distinct().Count());

        ReplicaGrantAnswer Answer(ReplicaAcceptGrant g, string region, bool accepted) =>
            new(g.PoolId, g.Term, region, accepted, null, TimeSpan.Zero, accepted ? g.Term : new TermId(9, "q"), accepted ? "accepted" : "higher", g.CorrelationId);
        // pool2 is refused by two regions (a higher term exists); the others are accepted by a and b
        foreach (var region in new[] { "a", "b" })
            proposer.Tell(new ReplicaGrantAnswerBatch(region, [.. sent[region].Grants.Select(g => Answer(g, region, g.PoolId != "pool2"))]),
                replicas[region].Ref);

        var outcomes = Enumerable.Range(0, 3).Select(_ => ExpectMsg<IGrantProposalOutcome>()).ToDictionary(o => o.PoolId);
        Assert.Equal(Node(1), Assert.IsType<TermGranted>(outcomes["pool1"]).Holder);
        Assert.Equal("a,b", string.Join(",", Assert.IsType<TermGranted>(outcomes["pool3"]).AcceptedByRegions));
        Assert.Equal(new TermId(9, "q"), Assert.IsType<TermNotGranted>(outcomes["pool2"]).HighestSeen);
        // an answer for a pool counts only in its own tally: a duplicate region's batch adds nothing
        proposer.Tell(new ReplicaGrantAnswerBatch("a", [.. sent["a"].Grants.Select(g => Answer(g, "a", true))]));
        ExpectNoMsg(TimeSpan.FromMilliseconds(100));
    }

    [Fact]
    public void A_lone_proposal_goes_at_once_and_a_burst_after_it_waits_one_batch_interval_for_one_round()
    {
        var slowBatches = new GrantSettings(["a", "b", "c"], TimeSpan.FromSeconds(20), TimeSpan.FromSeconds(60),
            TimeSpan.FromMilliseconds(500), 100_000, TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(1), "/unused");
        var replicas = slowBatches.Regions.ToDictionary(r => r, _ => CreateTestProbe());
        var proposer = Sys.ActorOf(GrantProposerActor.Props(slowBatches, "p", r => replicas[r]));
        ProposeTerm Propose(int p) => new($"pool{p}", Node(p), I0, slowBatches.Ttl, TermId.None, null, "node disconnected");

        proposer.Tell(Propose(1));
        Assert.Equal("pool1", replicas["a"].ExpectMsg<ReplicaAcceptGrant>().PoolId); // alone, with no window to wait for
        // one arbiter message each (one node's link dropped, then another's), soon after that round: gathered
        proposer.Tell(Propose(2));
        replicas["a"].ExpectNoMsg(TimeSpan.FromMilliseconds(200)); // pool2 waits for the interval, unlike pool1
        proposer.Tell(Propose(3));
        var batch = replicas["a"].ExpectMsg<ReplicaAcceptGrantBatch>(TimeSpan.FromSeconds(5));
        Assert.Equal(["pool2", "pool3"], batch.Grants.Select(g => g.PoolId));
        replicas["a"].ExpectNoMsg(TimeSpan.FromMilliseconds(100));
    }

    [Fact]
    public void The_arbiter_port_carries_a_batch_through_the_real_quorum_with_one_write_per_replica()
    {
        var stores = Settings.Regions.ToDictionary(r => r, _ => NeverVoted());
        var refs = new Dictionary<string, IActorRef>();
        foreach (var r in Settings.Regions)
            refs[r] = Sys.ActorOf(GrantReplicaActor.Props(Settings, r, stores[r], region => refs[region], new FixedClock()));
        var proposer = Sys.ActorOf(GrantProposerActor.Props(Settings, "arbiter", r => refs[r]));
        var port = Sys.ActorOf(GrantProposerPort.Props(proposer));
        var before = stores.ToDictionary(s => s.Key, s => s.Value.Saves);

        port.Tell(new ProposeGrants([.. Enumerable.Range(1, 50).Select(p =>
            new ProposeGrant($"pool{p}", Node(p), I0, Settings.Ttl, TermId.None, null, "region lost"))]));
        var granted = Enumerable.Range(0, 50).Select(_ => ExpectMsg<GrantProposed>()).ToList();
        Assert.Equal(Enumerable.Range(1, 50).Select(p => $"pool{p}").Order(), granted.Select(g => g.PoolId).Order());
        Assert.All(granted, g => Assert.Equal(Node(int.Parse(g.PoolId[4..], System.Globalization.CultureInfo.InvariantCulture)), g.Grant.Holder));
        // every replica that answered wrote once for all 50 pools (a majority answers before the last may have)
        AwaitAssert(() => Assert.All(Settings.Regions, r => Assert.Equal(before[r] + 1, stores[r].Saves)), TimeSpan.FromSeconds(3));
    }
}
