using System.Collections.Immutable;
using Akka.Actor;
using Akka.Cluster.Tools.PublishSubscribe;
using Akka.TestKit.Xunit2;
using Forge.Nodes;
using Forge.Protocol;
using Xunit;
using static Forge.Coordinator.Tests.Fixtures;

namespace Forge.Coordinator.Tests.Nodes;

/// <summary>
/// A link answers <see cref="AskLinkedAgents"/> with its agent's view, by the pool's pub-sub topic (no Sharding on the way):
/// a failover watch or arbiter whose candidates' entities live on a lost coordinator still learns who is alive now, under
/// which incarnation. Seen: a watch granted an incarnation its stale state held, the agent had restarted since (13 s).
/// </summary>
public sealed class LinkedAgentViewSpec() : TestKit(OneMemberCluster.Config)
{
    private static readonly NodeId West = NodeId.Parse("west/bp-0");
    private static readonly NodeId Other = NodeId.Parse("west/bp-1");

    private static AskLinkedAgents Ask(params NodeId[] nodes) => new("pool1", [.. nodes]);

    [Fact]
    public void A_link_answers_with_its_registration_and_last_report_only_for_its_own_node_and_pool()
    {
        var session = new RecordingSession(1);
        var link = Sys.ActorOf(AgentConnection.Props(session, CreateTestProbe(), CreateTestProbe(), null, CreateTestProbe(),
            syncedMaxLagSlots: 10, coordinatorId: "us-west-2/c0"));
        var inc = Guid.NewGuid();
        var asker = CreateTestProbe();

        link.Tell(Ask(West), asker); // not registered yet: nothing to say
        asker.ExpectNoMsg(TimeSpan.FromMilliseconds(200));

        link.Tell(new AgentConnection.FromAgent(Register(West, inc, region: "us-west-2")));
        link.Tell(Ask(West), asker);
        // registered, no report on this link yet: nothing to say ("not alive" would be a guess that, being the youngest
        // answer, would outrank the entity's view of a node that may be forging; its entity stays quiet too)
        asker.ExpectNoMsg(TimeSpan.FromMilliseconds(200));

        link.Tell(new AgentConnection.FromAgent(Report(West, inc, 1, tip: 1000, current: 1002)));
        link.Tell(new AgentConnection.FromAgent(Report(West, Guid.NewGuid(), 2, alive: false))); // another incarnation's
        link.Tell(Ask(Other, West), asker);
        var view = asker.ExpectMsg<LinkedAgentView>().View;
        Assert.Equal((West, inc, true, true, true, 1000L, "us-west-2/c0"), (view.Node, view.Incarnation, view.Connected, view.Alive,
            view.Synced, view.TipSlot, view.CoordinatorId));
        Assert.InRange(view.ReportAge, TimeSpan.Zero, TimeSpan.FromSeconds(3));

        link.Tell(new AgentConnection.FromAgent(Report(West, inc, 3, tip: 900, current: 1002))); // 102 slots behind
        link.Tell(Ask(West), asker);
        Assert.False(asker.ExpectMsg<LinkedAgentView>().View.Synced); // recomputed here, not the agent's word

        link.Tell(Ask(), asker); // no nodes named: every link of the pool answers (the arbiter's probe)
        Assert.Equal(West, asker.ExpectMsg<LinkedAgentView>().View.Node);

        link.Tell(Ask(Other), asker);
        link.Tell(new AskLinkedAgents("pool2", [West]), asker);
        link.Tell(new AskLinkedAgents("pool2", []), asker);
        asker.ExpectNoMsg(TimeSpan.FromMilliseconds(200));

        link.Tell(new AgentRefused(West, inc, "duplicate node identity"));
        link.Tell(Ask(West), asker);
        asker.ExpectNoMsg(TimeSpan.FromMilliseconds(200));
    }

    [Fact]
    public void The_ask_reaches_a_link_through_the_real_mediator_and_the_answer_comes_back_to_the_asker()
    {
        OneMemberCluster.JoinSelf(this);
        var mediator = DistributedPubSub.Get(Sys).Mediator;
        var link = Sys.ActorOf(AgentConnection.Props(new RecordingSession(2), CreateTestProbe(), CreateTestProbe(), null, mediator));
        var inc = Guid.NewGuid();
        link.Tell(new AgentConnection.FromAgent(Register(West, inc, region: "us-west-2")));
        link.Tell(new AgentConnection.FromAgent(Report(West, inc, 1)));
        var asker = CreateTestProbe();
        // the subscription is registered asynchronously: ask until it answers, within a deadline
        AwaitAssert(() =>
        {
            mediator.Tell(new Publish(GrantTopics.Of("pool1"), Ask(West)), asker);
            Assert.Equal(inc, asker.ExpectMsg<LinkedAgentView>(TimeSpan.FromMilliseconds(300)).View.Incarnation);
        }, TimeSpan.FromSeconds(10), TimeSpan.FromMilliseconds(100));
    }

    [Fact]
    public void Both_messages_cross_coordinators()
    {
        var ask = Ask(West, Other);
        var decoded = (AskLinkedAgents)WireCodec.Decode(WireCodec.ManifestOf(ask), WireCodec.Encode(ask));
        Assert.Equal(ask.PoolId, decoded.PoolId);
        Assert.Equal(ask.Nodes.AsEnumerable(), decoded.Nodes.AsEnumerable());
        var answer = new LinkedAgentView(View("pool1", West, Guid.NewGuid()) with { ReportAge = TimeSpan.FromMilliseconds(250) });
        Assert.Equal(answer, WireCodec.Decode(WireCodec.ManifestOf(answer), WireCodec.Encode(answer)));
    }
}
