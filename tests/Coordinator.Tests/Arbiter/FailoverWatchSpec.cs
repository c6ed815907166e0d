using Akka.Actor;
using Akka.TestKit.Xunit2;
using Forge.Arbiter;
using Forge.Decider;
using Forge.Grants;
using Forge.Nodes;
using Forge.Protocol;
using static Forge.Coordinator.Tests.Fixtures;
using Xunit;

namespace Forge.Coordinator.Tests.Arbiter;

/// <summary>The failover watch's own wiring: what it asks the arbiter for before it can ever propose.</summary>
public sealed class FailoverWatchSpec() : TestKit(OneMemberCluster.Config)
{
    private sealed class Forwarder : ReceiveActor
    {
        public Forwarder(IActorRef to) => ReceiveAny(m => to.Forward(m));
    }

    private static readonly ArbiterSettings Settings = new(TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(3), TimeSpan.FromSeconds(5),
        TimeSpan.Zero, TimeSpan.FromSeconds(6), TimeSpan.FromSeconds(5), 10);

    private static readonly GrantSettings Grants = new(["a", "b", "c"], TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(30),
        TimeSpan.FromMilliseconds(500), 100_000, TimeSpan.FromMilliseconds(20), TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(1), "/x");

    [Fact]
    public void A_watch_proposes_the_successor_whose_entity_answers_not_the_published_states_first_choice()
    {
        // Seen in kill-region runs: the arbiter died with the forger's region, and its last state still showed that
        // region's other cluster's node alive; the watch granted it, it never renewed, failover took 10-19 s.
        OneMemberCluster.JoinSelf(this); // the watch ranks itself only among Up coordinators
        var proposer = CreateTestProbe();
        var nodes = CreateTestProbe();
        var watch = Sys.ActorOf(FailoverWatch.Props(proposer.Ref, nodes.Ref, CreateTestProbe().Ref, Settings, Grants));
        var east = NodeId.Parse("east/bp-0");
        var west = NodeId.Parse("west/bp-0");
        var eu = NodeId.Parse("eu/bp-0");
        var euIncarnation = Guid.NewGuid();
        ClusterVerdict V(string name, int prio) => new(name, "Priority-based", prio, true, true, false, null, "", "", []);
        watch.Tell(new PoolStateChanged(new PoolState("pool1", east, east, Guid.NewGuid(), new TermId(4, "arb"), "idle", "holder kept",
            [V("east", 1), V("west", 2), V("eu", 3)],
            [View("pool1", east, Guid.NewGuid()), View("pool1", west, Guid.NewGuid()), View("pool1", eu, euIncarnation)], [], DateTimeOffset.UtcNow)));

        // Every node's entity is asked once on first sight, so the shard region learns each shard's home while the
        // shard coordinator can still tell (it may die with the arbiter's region).
        var warmed = Enumerable.Range(0, 3).Select(_ => nodes.ExpectMsg<GetNodeView>(TimeSpan.FromSeconds(5)).Node).ToList();
        Assert.Equal([east, eu, west], warmed.OrderBy(n => n.Cluster, StringComparer.Ordinal));
        watch.Tell(new PoolStateChanged(new PoolState("pool1", east, east, Guid.NewGuid(), new TermId(4, "arb"), "idle", "republished",
            [V("east", 1), V("west", 2), V("eu", 3)],
            [View("pool1", east, Guid.NewGuid()), View("pool1", west, Guid.NewGuid()), View("pool1", eu, euIncarnation)], [], DateTimeOffset.UtcNow)));
        nodes.ExpectNoMsg(TimeSpan.FromMilliseconds(300)); // once only

        proposer.FishForMessage<FindQuietTerms>(_ => true, TimeSpan.FromSeconds(5));
        proposer.Reply(new QuietTerms([new QuietTerm("pool1", new TermId(4, "arb"), east, Guid.NewGuid(), TimeSpan.FromSeconds(5), false,
            TimeSpan.FromSeconds(2.5), ["b", "c"])], 2));

        // It asks every node outside the holder's cluster; only eu's entity answers (west's died with its region).
        var asked = new[] { nodes.ExpectMsg<GetNodeView>(TimeSpan.FromSeconds(5)), nodes.ExpectMsg<GetNodeView>(TimeSpan.FromSeconds(5)) };
        Assert.Equal([eu, west], asked.Select(a => a.Node).OrderBy(n => n.Cluster, StringComparer.Ordinal));
        watch.Tell(new NodeViewChanged(View("pool1", eu, euIncarnation) with { ReportAge = TimeSpan.FromMilliseconds(200) }));

        var proposal = proposer.FishForMessage<ProposeFailover>(_ => true, TimeSpan.FromSeconds(5));
        Assert.Equal((eu, euIncarnation), (proposal.Candidate, proposal.CandidateIncarnation));
    }

    [Fact]
    public void A_watch_proposes_the_incarnation_a_candidates_link_answers_with_when_its_entity_cannot()
    {
        // Seen in kill-region run #4 (session 8): west's shard lived on the killed region's coordinator, the arbiter died
        // with it, and the watch's state held west's incarnation from before an earlier restart. It granted that dead
        // incarnation; nobody could take the term; failover took 13.1 s. West's link, on west's own coordinator, knew.
        OneMemberCluster.JoinSelf(this); // the watch ranks itself only among Up coordinators
        var proposer = CreateTestProbe();
        var nodes = CreateTestProbe();
        var mediator = CreateTestProbe();
        var watch = Sys.ActorOf(FailoverWatch.Props(proposer.Ref, nodes.Ref, mediator.Ref, Settings, Grants));
        var east = NodeId.Parse("east/bp-0");
        var west = NodeId.Parse("west/bp-0");
        var (before, now) = (Guid.NewGuid(), Guid.NewGuid());
        ClusterVerdict V(string name, int prio) => new(name, "Priority-based", prio, true, true, false, null, "", "", []);
        watch.Tell(new PoolStateChanged(new PoolState("pool1", east, east, Guid.NewGuid(), new TermId(4, "arb"), "idle", "holder kept",
            [V("east", 1), V("west", 2)], [View("pool1", east, Guid.NewGuid()), View("pool1", west, before)], [], DateTimeOffset.UtcNow)));

        proposer.FishForMessage<FindQuietTerms>(_ => true, TimeSpan.FromSeconds(5));
        proposer.Reply(new QuietTerms([new QuietTerm("pool1", new TermId(4, "arb"), east, Guid.NewGuid(), TimeSpan.FromSeconds(5), false,
            TimeSpan.FromSeconds(2.5), ["b", "c"])], 2));

        // west's entity is asked and never answers; the pool's links are asked on its topic, and west's answers
        var ask = mediator.FishForMessage<Akka.Cluster.Tools.PublishSubscribe.Publish>(p => p.Message is AskLinkedAgents,
            TimeSpan.FromSeconds(5));
        Assert.Equal(GrantTopics.Of("pool1"), ask.Topic);
        Assert.Equal([west], ((AskLinkedAgents)ask.Message).Nodes.ToArray());
        watch.Tell(new LinkedAgentView(View("pool1", west, now) with { ReportAge = TimeSpan.FromMilliseconds(200) }));

        var proposal = proposer.FishForMessage<ProposeFailover>(_ => true, TimeSpan.FromSeconds(5));
        Assert.Equal((west, now), (proposal.Candidate, proposal.CandidateIncarnation));
    }

    [Fact]
    public void A_watch_that_started_after_the_last_publication_asks_the_arbiter_for_every_pool()
    {
        // Publications come only on change: a coordinator restarted after a partition used to know no pool, so its watch
        // stayed idle when the arbiter was cut off next. It now asks the arbiter (its singleton proxy) until it knows some.
        var arbiter = CreateTestProbe();
        Sys.ActorOf(Props.Create(() => new Forwarder(arbiter.Ref)), "forge-arbiter-proxy");
        var settings = new ArbiterSettings(TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(3), TimeSpan.FromSeconds(5), TimeSpan.Zero,
            TimeSpan.FromSeconds(6), TimeSpan.FromSeconds(5), 10);
        var grants = new GrantSettings(["a", "b", "c"], TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(30), TimeSpan.FromMilliseconds(500),
            100_000, TimeSpan.FromMilliseconds(20), TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(1), "/x");
        Sys.ActorOf(FailoverWatch.Props(CreateTestProbe().Ref, CreateTestProbe().Ref, CreateTestProbe().Ref, settings, grants));

        arbiter.ExpectMsg<ListPools>(TimeSpan.FromSeconds(5));
        arbiter.Reply(new PoolList([new PoolSummary("pool1", null, null, TermId.None, "forging")]));
        Assert.Equal("pool1", arbiter.FishForMessage<GetPoolState>(_ => true, TimeSpan.FromSeconds(5)).PoolId);
    }
}
