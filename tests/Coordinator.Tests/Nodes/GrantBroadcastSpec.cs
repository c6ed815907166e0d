using Akka.Actor;
using Akka.Cluster.Tools.PublishSubscribe;
using Akka.TestKit.Xunit2;
using Forge.Nodes;
using Forge.Protocol;
using Xunit;
using static Forge.Coordinator.Tests.Fixtures;

namespace Forge.Coordinator.Tests.Nodes;

/// <summary>A link passes on its pool's grant broadcasts (the path that needs no Sharding: the new holder's entity may be
/// on a lost coordinator) only to the agent it is registered as, and not after the entity refused it.</summary>
public sealed class GrantBroadcastSpec : TestKit
{
    private static readonly NodeId West = NodeId.Parse("west/bp-0");

    [Fact]
    public void A_link_subscribes_at_registration_and_passes_on_only_its_own_incarnations_grant()
    {
        var session = new RecordingSession(1);
        var mediator = CreateTestProbe();
        var nodes = CreateTestProbe();
        var link = Sys.ActorOf(AgentConnection.Props(session, nodes, CreateTestProbe(), null, mediator));
        var inc = Guid.NewGuid();
        link.Tell(new AgentConnection.FromAgent(Register(West, inc, region: "us-west-2")));
        // subscribed before the entity answered (the entity may be unreachable)
        Assert.Equal(GrantTopics.Of("pool1"), mediator.ExpectMsg<Subscribe>().Topic);
        nodes.ExpectMsg<RegisterAgent>();

        Grant For(Guid incarnation, long counter) => new("pool1", West, incarnation, new TermId(counter, "fallback"), TimeSpan.FromSeconds(5),
            TimeSpan.Zero, "failover");
        link.Tell(new GrantBroadcast(For(Guid.NewGuid(), 6))); // another incarnation of the same identity
        link.Tell(new GrantBroadcast(For(inc, 7)));
        Assert.Equal(new TermId(7, "fallback"), session.Next<Grant>().Term);

        link.Tell(new AgentRefused(West, inc, "duplicate node identity"));
        session.Next<AgentRefused>();
        link.Tell(new GrantBroadcast(For(inc, 8)));
        Assert.False(session.Sent.TryTake(out var m, TimeSpan.FromMilliseconds(300)), $"sent {m} after a refusal");
    }

    [Fact]
    public void A_grant_broadcast_crosses_coordinators()
    {
        var m = new GrantBroadcast(new Grant("pool1", West, Guid.NewGuid(), new TermId(3, "arb"), TimeSpan.FromSeconds(5),
            TimeSpan.FromSeconds(1.5), "failover"));
        Assert.Equal(m, WireCodec.Decode(WireCodec.ManifestOf(m), WireCodec.Encode(m)));
    }
}
