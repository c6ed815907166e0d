using Akka.Actor;
using Akka.TestKit;
using Akka.TestKit.Xunit2;
using Forge.Nodes;
using Forge.Protocol;
using Forge.Specs;
using Xunit;
using static Forge.Coordinator.Tests.Fixtures;

namespace Forge.Coordinator.Tests.Nodes;

/// <summary>A node entity tells the arbiter as soon as its agent has been silent for report-silent-after (not at the
/// next refresh), and again at once when the agent reports again; every view carries the report's age.</summary>
public sealed class NodeEntitySilenceSpec : TestKit
{
    private static readonly NodeId Node = NodeId.Parse("east/bp-0");
    private static readonly TimeSpan SilentAfter = TimeSpan.FromMilliseconds(400);

    /// <summary>An entity with one registered incarnation (no report yet), refreshing every <paramref name="viewRefresh"/>.</summary>
    private (IActorRef Entity, TestProbe Arbiter, TestProbe Conn, Guid Incarnation) Registered(TimeSpan viewRefresh)
    {
        var arbiter = CreateTestProbe();
        var specs = CreateTestProbe();
        var conn = CreateTestProbe();
        var settings = new NodeSettings(10, TimeSpan.FromSeconds(10), viewRefresh, 10, 30, Regions, SilentAfter);
        var entity = Sys.ActorOf(NodeEntity.Props(Node, settings, arbiter, specs, "coord-1"));
        var inc = Guid.NewGuid();
        entity.Tell(Register(Node, inc), conn);
        var q = specs.ExpectMsg<GetPoolSpecs>();
        specs.Reply(Pool(q.PoolId, Entry(q.PoolId, "east", 1)));
        conn.ExpectMsg<AgentRegistered>();
        return (entity, arbiter, conn, inc);
    }

    [Fact]
    public void A_silent_agent_is_told_at_once_and_so_is_its_next_report()
    {
        // A refresh far beyond the test, so a view that comes is the silence being told.
        var (entity, arbiter, conn, inc) = Registered(TimeSpan.FromMinutes(5));
        entity.Tell(Report(Node, inc, 1), conn);
        var alive = arbiter.ExpectMsg<NodeViewChanged>().View;
        Assert.True(alive.Alive);
        Assert.True(alive.ReportAge < SilentAfter);

        var silent = arbiter.ExpectMsg<NodeViewChanged>(TimeSpan.FromSeconds(5)).View;
        Assert.True(silent.ReportAge >= SilentAfter, $"report age {silent.ReportAge}");
        Assert.True(silent.Alive); // still connected and last said alive: the age is what tells

        entity.Tell(Report(Node, inc, 2), conn); // nothing else changed, but the silence is over
        var back = arbiter.ExpectMsg<NodeViewChanged>(TimeSpan.FromSeconds(5)).View;
        Assert.True(back.ReportAge < SilentAfter, $"report age {back.ReportAge}");

        // Told once per silence: the next view is the next silence.
        var again = arbiter.ExpectMsg<NodeViewChanged>(TimeSpan.FromSeconds(5)).View;
        Assert.True(again.ReportAge >= SilentAfter);
    }

    [Fact]
    public void A_registered_agent_is_told_at_its_first_report_or_once_it_stays_silent_not_before()
    {
        // An entity re-created after its shard moved (or a link re-made) gets the registration first and the report up to a
        // second later: a view in between would say "not alive" of a node that may be forging (seen: a revoke and a
        // re-grant of a healthy forger 60 ms apart after a partition healed).
        var (entity, arbiter, _, _) = Registered(TimeSpan.FromMilliseconds(100));
        arbiter.ExpectNoMsg(SilentAfter / 2); // refreshes every 100 ms, none of them told
        entity.Tell(new GetNodeView(Node), arbiter);
        Assert.Equal("no report yet", arbiter.ExpectMsg<DeliveryFailed>().Reason);

        var silent = arbiter.ExpectMsg<NodeViewChanged>(TimeSpan.FromSeconds(5)).View; // registered, then nothing
        Assert.False(silent.Alive);
        Assert.True(silent.ReportAge >= SilentAfter, $"report age {silent.ReportAge}");
    }
}
