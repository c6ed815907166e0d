using System.Collections.Immutable;
using Akka.Actor;
using Akka.TestKit.Xunit2;
using Forge.Protocol;
using Xunit;

namespace Forge.Grants.Tests;

/// <summary>The thin actors over the cores: durable write before the answer, restart from disk, batching, proposing.
/// Replicas run in the TestKit's system, addressed through an injected <see cref="ReplicaDirectory"/>.</summary>
public sealed class GrantActorsSpec : TestKit
{
    private static readonly GrantSettings Settings = new(["a", "b", "c"], TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(15),
        TimeSpan.FromMilliseconds(500), 100_000, TimeSpan.FromMilliseconds(20), TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(1), "/unused");
    private static readonly NodeId Node = new("us-east-1-prod", "bp-0");
    private static readonly Guid Inc = Guid.NewGuid();

    private sealed class ManualClock : IMonotonicClock
    {
        public TimeSpan Now { get; set; } = TimeSpan.FromSeconds(100);
    }

    private static MemoryReplicaStore Initialised()
    {
        var s = new MemoryReplicaStore();
        s.Save(ReplicaState.Fresh with { Recovering = false }, TimeSpan.Zero);
        return s;
    }

    private (Dictionary<string, IActorRef> Replicas, Dictionary<string, MemoryReplicaStore> Stores, ManualClock Clock) StartReplicas()
    {
        var clock = new ManualClock();
        var stores = Settings.Regions.ToDictionary(r => r, _ => Initialised());
        var refs = new Dictionary<string, IActorRef>();
        ReplicaDirectory dir = region => refs[region];
        foreach (var r in Settings.Regions)
            refs[r] = Sys.ActorOf(GrantReplicaActor.Props(Settings, r, stores[r], dir, clock), $"replica-{r}");
        return (refs, stores, clock);
    }

    [Fact]
    public void Replica_writes_the_new_term_before_it_answers_and_restarts_from_disk()
    {
        var (replicas, stores, clock) = StartReplicas();
        var before = stores["a"].Saves;
        replicas["a"].Tell(new ReplicaAcceptGrant("pool", new TermId(1, "p"), Node, Inc, Settings.Ttl, null, 7));
        var answer = ExpectMsg<ReplicaGrantAnswer>();
        Assert.True(answer.Accepted);
        Assert.Equal(before + 1, stores["a"].Saves); // durable before the answer left
        Assert.Equal(new TermId(1, "p"), stores["a"].Load(clock.Now)!.Pool("pool")!.Term);

        // a new actor on the same disk remembers the term: a lower or equal term is refused
        Watch(replicas["a"]);
        Sys.Stop(replicas["a"]);
        ExpectTerminated(replicas["a"]);
        var again = Sys.ActorOf(GrantReplicaActor.Props(Settings, "a", stores["a"], r => replicas[r], clock));
        again.Tell(new ReplicaAcceptGrant("pool", new TermId(1, "p"), Node, Inc, Settings.Ttl, null, 8));
        var refused = ExpectMsg<ReplicaGrantAnswer>();
        Assert.False(refused.Accepted);
        Assert.Equal(new TermId(1, "p"), refused.Highest);
    }

    [Fact]
    public void First_renewal_is_written_later_ones_are_not()
    {
        var (replicas, stores, _) = StartReplicas();
        replicas["b"].Tell(new ReplicaAcceptGrant("pool", new TermId(1, "p"), Node, Inc, Settings.Ttl, null, 1));
        ExpectMsg<ReplicaGrantAnswer>();
        var saves = stores["b"].Saves;
        var entry = new ReplicaRenewalEntry("pool", new TermId(1, "p"), Node, Inc, null);
        replicas["b"].Tell(new ReplicaRenewalBatch(1, [entry]));
        Assert.True(ExpectMsg<ReplicaRenewalBatchAnswer>().Verdicts[0].Accepted);
        Assert.Equal(saves + 1, stores["b"].Saves);
        replicas["b"].Tell(new ReplicaRenewalBatch(2, [entry]));
        Assert.True(ExpectMsg<ReplicaRenewalBatchAnswer>().Verdicts[0].Accepted);
        Assert.Equal(saves + 1, stores["b"].Saves);
    }

    [Fact]
    public void Replica_without_state_votes_only_after_copying_every_other_replica()
    {
        var (replicas, _, clock) = StartReplicas();
        foreach (var r in new[] { "b", "c" })
        {
            replicas[r].Tell(new ReplicaAcceptGrant("pool", new TermId(3, "p"), Node, Inc, Settings.Ttl, null, 1));
            ExpectMsg<ReplicaGrantAnswer>();
        }
        var lost = new MemoryReplicaStore();
        var fresh = Sys.ActorOf(GrantReplicaActor.Props(Settings, "a", lost, r => r == "a" ? ActorRefs.Nobody : replicas[r], clock));
        AwaitAssert(() =>
        {
            fresh.Tell(new ReplicaStatusQuery("pool", 1));
            var status = ExpectMsg<ReplicaStatus>();
            Assert.False(status.Recovering);
            Assert.Equal(new TermId(3, "p"), status.Current!.Term);
        });
        // a stale proposer's lower term is refused, and renewals wait out the amnesia hold
        fresh.Tell(new ReplicaAcceptGrant("pool", new TermId(2, "old"), Node, Inc, Settings.Ttl, null, 2));
        Assert.False(ExpectMsg<ReplicaGrantAnswer>().Accepted);
        fresh.Tell(new ReplicaRenewalBatch(9, [new ReplicaRenewalEntry("pool", new TermId(3, "p"), Node, Inc, null)]));
        Assert.Contains("not active", ExpectMsg<ReplicaRenewalBatchAnswer>().Verdicts[0].Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Batcher_sends_one_round_for_many_requests_and_answers_each_request_id()
    {
        var (replicas, _, _) = StartReplicas();
        var nodes = Enumerable.Range(0, 50).Select(i => (Node: new NodeId("c", $"bp-{i}"), Inc: Guid.NewGuid())).ToList();
        foreach (var (n, inc) in nodes)
            foreach (var r in replicas.Values)
            {
                r.Tell(new ReplicaAcceptGrant($"pool-{n.Pod}", new TermId(1, "p"), n, inc, Settings.Ttl, null, 1));
                ExpectMsg<ReplicaGrantAnswer>();
            }
        var counting = Settings.Regions.ToDictionary(r => r, r => CreateTestProbe($"spy-{r}"));
        ReplicaDirectory dir = region => counting[region].Ref;
        var batcher = Sys.ActorOf(RenewalBatcherActor.Props(Settings, dir));
        for (var i = 0; i < nodes.Count; i++)
            batcher.Tell(new Renew($"pool-{nodes[i].Node.Pod}", nodes[i].Node, nodes[i].Inc, new TermId(1, "p"), 1000 + i), TestActor);

        foreach (var (region, probe) in counting)
        {
            var batch = probe.ExpectMsg<ReplicaRenewalBatch>();
            Assert.Equal(nodes.Count, batch.Entries.Length); // 50 requests, one round
            replicas[region].Tell(batch, probe.Ref);
            batcher.Tell(probe.ExpectMsg<ReplicaRenewalBatchAnswer>(), replicas[region]);
            probe.ExpectNoMsg(TimeSpan.FromMilliseconds(50));
        }
        var answers = Enumerable.Range(0, nodes.Count).Select(_ => ExpectMsg<Renewed>()).ToList();
        Assert.Equal(Enumerable.Range(1000, nodes.Count).Select(i => (long)i), answers.Select(a => a.RequestId).Order());
        Assert.All(answers, a => Assert.Equal(Settings.Ttl, a.Ttl));
    }

    [Fact]
    public void Proposer_grants_with_a_majority_and_reports_a_higher_term()
    {
        var (replicas, _, _) = StartReplicas();
        var proposer = Sys.ActorOf(GrantProposerActor.Props(Settings, "p1", r => replicas[r]));
        proposer.Tell(new ProposeTerm("pool", Node, Inc, Settings.Ttl, TermId.None, null, "test"));
        var granted = ExpectMsg<TermGranted>();
        Assert.Equal(new TermId(1, "p1"), granted.Term);
        Assert.True(granted.AcceptedByRegions.Length >= 2);
        Assert.Equal(Inc, granted.ToAgentGrant().Incarnation);

        // a second proposer that only knows an older term learns the higher one from the refusals
        var rival = Sys.ActorOf(GrantProposerActor.Props(Settings, "p0", r => replicas[r]));
        rival.Tell(new ProposeTerm("pool", Node, Inc, Settings.Ttl, TermId.None, null, "stale"));
        var outcome = ExpectMsg<IGrantProposalOutcome>();
        if (outcome is TermNotGranted refused) Assert.True(refused.HighestSeen >= new TermId(1, "p1"));
        else Assert.True(((TermGranted)outcome).Term > granted.Term);
    }

    [Fact]
    public void Proposer_answers_a_second_asker_for_the_same_incarnation_with_the_term_it_just_granted()
    {
        var (replicas, _, _) = StartReplicas();
        var proposer = Sys.ActorOf(GrantProposerActor.Props(Settings, "p1", r => replicas[r]));
        proposer.Tell(new ProposeTerm("pool", Node, Inc, Settings.Ttl, TermId.None, null, "watch"));
        var first = ExpectMsg<TermGranted>();

        // the arbiter, which has not heard of that term, targets the same incarnation: no second term
        proposer.Tell(new ProposeTerm("pool", Node, Inc, Settings.Ttl, TermId.None, null, "arbiter"));
        var second = ExpectMsg<TermGranted>();
        Assert.Equal(first.Term, second.Term);
        replicas["a"].Tell(new ReplicaStatusQuery("pool", 9));
        Assert.Equal(first.Term, ExpectMsg<ReplicaStatus>().Current!.Term); // the replicas hold the first term still

        // one that knows it and asks above it gets a new term
        proposer.Tell(new ProposeTerm("pool", Node, Inc, Settings.Ttl, first.Term, null, "re-grant"));
        Assert.True(ExpectMsg<TermGranted>().Term > first.Term);
    }

    [Fact]
    public void Proposer_reports_a_holder_that_stopped_renewing_on_a_majority_even_with_a_region_silent()
    {
        var (replicas, _, clock) = StartReplicas();
        var silent = CreateTestProbe(); // region c cut off: its replica never answers
        var proposer = Sys.ActorOf(GrantProposerActor.Props(Settings, "p1", r => r == "c" ? silent.Ref : replicas[r]));
        proposer.Tell(new ProposeTerm("pool", Node, Inc, Settings.Ttl, TermId.None, null, "test"));
        var granted = ExpectMsg<TermGranted>();
        var batcher = Sys.ActorOf(RenewalBatcherActor.Props(Settings, r => replicas[r]));
        batcher.Tell(new GrantRequest("pool", Node, Inc, granted.Term, 1));
        ExpectMsg<Renewed>(TimeSpan.FromSeconds(3));

        clock.Now += TimeSpan.FromSeconds(2.4); // one renewal late: healthy
        proposer.Tell(new FindQuietTerms(Rank: 0));
        var none = ExpectMsg<QuietTerms>(TimeSpan.FromSeconds(3));
        Assert.Empty(none.Terms);
        Assert.Equal(2, none.RegionsAnswered);
        // a new arbiter's question: every current term, quiet or not, as a majority reports it
        proposer.Tell(FindCurrentTerms.Instance);
        var current = ExpectMsg<CurrentTerms>(TimeSpan.FromSeconds(3));
        Assert.True(current.AnsweredByMajority);
        var term = Assert.Single(current.Terms);
        Assert.Equal((granted.Term, Node, Inc), (term.Term, term.Holder, term.Incarnation));

        clock.Now += TimeSpan.FromSeconds(0.1); // 2.5 s: two renewals missed
        proposer.Tell(new FindQuietTerms(Rank: 0));
        var quiet = Assert.Single(ExpectMsg<QuietTerms>(TimeSpan.FromSeconds(3)).Terms);
        Assert.Equal((granted.Term, Node, Inc), (quiet.Term, quiet.Holder, quiet.Incarnation));
        proposer.Tell(new FindQuietTerms(Rank: 1)); // a fallback proposer waits one failover-proposal-timeout longer
        Assert.Empty(ExpectMsg<QuietTerms>(TimeSpan.FromSeconds(3)).Terms);

        // the failover check confirms it and proposes; the successor still waits out the old term on the replicas
        proposer.Tell(new ProposeFailover("pool", granted.Term, new NodeId("us-west-2-prod", "bp-0"), Guid.NewGuid(), Settings.Ttl, "test"));
        var next = ExpectMsg<TermGranted>(TimeSpan.FromSeconds(3));
        Assert.True(next.Term > granted.Term);
        Assert.True(next.ActivationDelay >= TimeSpan.FromSeconds(2.9), $"activation in {next.ActivationDelay}");
    }

    [Fact]
    public void Proposer_answers_the_quiet_query_without_waiting_for_a_silent_region_that_cannot_change_the_verdict()
    {
        var (replicas, _, clock) = StartReplicas();
        var silent = CreateTestProbe(); // region c cut off
        // a 40 s round timeout: an answer that waited for region c would come only after a quarter of it (10 s)
        var slow = new GrantSettings(["a", "b", "c"], TimeSpan.FromSeconds(60), TimeSpan.FromSeconds(60), TimeSpan.FromMilliseconds(500),
            100_000, TimeSpan.FromMilliseconds(20), TimeSpan.FromSeconds(40), TimeSpan.FromSeconds(1), "/unused");
        var proposer = Sys.ActorOf(GrantProposerActor.Props(slow, "p1", r => r == "c" ? silent.Ref : replicas[r]));
        proposer.Tell(new ProposeTerm("pool", Node, Inc, Settings.Ttl, TermId.None, null, "test"));
        var granted = ExpectMsg<TermGranted>();
        Sys.ActorOf(RenewalBatcherActor.Props(Settings, r => replicas[r])).Tell(new GrantRequest("pool", Node, Inc, granted.Term, 1));
        ExpectMsg<Renewed>(TimeSpan.FromSeconds(3));

        clock.Now += TimeSpan.FromSeconds(2.4); // a and b: not quiet; c alone could not make it quiet
        proposer.Tell(new FindQuietTerms(Rank: 0));
        Assert.Empty(ExpectMsg<QuietTerms>(TimeSpan.FromSeconds(3)).Terms);
        clock.Now += TimeSpan.FromSeconds(0.1); // a and b: quiet, a majority whatever c would say
        proposer.Tell(new FindQuietTerms(Rank: 0));
        var quiet = ExpectMsg<QuietTerms>(TimeSpan.FromSeconds(3));
        Assert.Equal(granted.Term, Assert.Single(quiet.Terms).Term);
        Assert.Equal(2, quiet.RegionsAnswered);
    }
}
