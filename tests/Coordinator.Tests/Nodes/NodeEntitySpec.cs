using Akka.Actor;
using Akka.TestKit.Xunit2;
using Forge.Nodes;
using Forge.Protocol;
using Forge.Specs;
using Xunit;
using static Forge.Coordinator.Tests.Fixtures;

namespace Forge.Coordinator.Tests.Nodes;

public class NodeEntitySpec : TestKit
{
    private static readonly NodeId Node = NodeId.Parse("east/bp-0");

    private (IActorRef Entity, Akka.TestKit.TestProbe Arbiter, Akka.TestKit.TestProbe Specs, Akka.TestKit.TestProbe Conn) Start(TimeSpan? staleAfter = null)
    {
        var arbiter = CreateTestProbe();
        var specs = CreateTestProbe();
        var conn = CreateTestProbe();
        var entity = Sys.ActorOf(NodeEntity.Props(Node, NodeSettings(staleAfter), arbiter, specs, "coord-1"));
        return (entity, arbiter, specs, conn);
    }

    /// <summary>An entity with one registered incarnation that has reported once (its view told).</summary>
    private (IActorRef Entity, Akka.TestKit.TestProbe Arbiter, Akka.TestKit.TestProbe Conn, Guid Incarnation) Reporting()
    {
        var (entity, arbiter, specs, conn) = Start();
        var inc = Guid.NewGuid();
        entity.Tell(Register(Node, inc), conn);
        AnswerPool(specs, true);
        conn.ExpectMsg<AgentRegistered>();
        entity.Tell(Report(Node, inc, 1), conn);
        arbiter.ExpectMsg<NodeViewChanged>();
        return (entity, arbiter, conn, inc);
    }

    /// <summary>The same incarnation registers through another link (the entity has its report: the view is told again).</summary>
    private Akka.TestKit.TestProbe RegisteredAgain(IActorRef entity, Akka.TestKit.TestProbe arbiter, Guid inc)
    {
        var link = CreateTestProbe();
        entity.Tell(Register(Node, inc), link);
        link.ExpectMsg<AgentRegistered>();
        arbiter.ExpectMsg<NodeViewChanged>();
        return link;
    }

    private static Grant GrantTo(Guid inc) => new("pool1", Node, inc, new TermId(2, "p"), TimeSpan.FromSeconds(5), TimeSpan.Zero, "x");

    private static void AnswerPool(Akka.TestKit.TestProbe specs, bool known)
    {
        var q = specs.ExpectMsg<GetPoolSpecs>();
        specs.Reply(known ? Pool(q.PoolId, Entry(q.PoolId, "east", 1)) : Pool(q.PoolId));
    }

    [Fact]
    public void Registers_reports_and_publishes_its_view()
    {
        var (entity, arbiter, specs, conn) = Start();
        var inc = Guid.NewGuid();
        entity.Tell(Register(Node, inc), conn);
        AnswerPool(specs, known: true);
        var ack = conn.ExpectMsg<AgentRegistered>();
        Assert.Equal(inc, ack.Incarnation);
        Assert.Equal("coord-1", ack.CoordinatorId);
        // no report yet: nothing to tell ("not alive" would be a guess; the agent reports within a second)
        arbiter.ExpectNoMsg(TimeSpan.FromMilliseconds(200));
        entity.Tell(new GetNodeView(Node), arbiter);
        Assert.Equal("no report yet", arbiter.ExpectMsg<DeliveryFailed>().Reason);

        entity.Tell(Report(Node, inc, 1, tip: 1000, current: 1005), conn);
        var v1 = arbiter.ExpectMsg<NodeViewChanged>().View;
        Assert.True(v1.Connected);
        Assert.True(v1.Alive);
        Assert.True(v1.Synced);

        entity.Tell(Report(Node, inc, 1, tip: 1, current: 1005), conn); // duplicate sequence: ignored
        entity.Tell(Report(Node, inc, 2, tip: 1001, current: 1006), conn); // nothing that matters changed
        arbiter.ExpectNoMsg(TimeSpan.FromMilliseconds(200));

        entity.Tell(Report(Node, inc, 3, tip: 900, current: 1006), conn); // 106 slots behind: not synced
        Assert.False(arbiter.ExpectMsg<NodeViewChanged>().View.Synced);

        // A new SIGHUP outcome and when the agent saw it reach the view (the shell's 'agent show').
        var at = new DateTimeOffset(2026, 11, 27, 11, 0, 0, TimeSpan.Zero);
        entity.Tell(Report(Node, inc, 4, tip: 1002, current: 1006) with { LastSignal = SignalOutcome.Verified, LastSignalAt = at }, conn);
        var v4 = arbiter.ExpectMsg<NodeViewChanged>().View;
        Assert.Equal((SignalOutcome.Verified, (DateTimeOffset?)at), (v4.LastSignal, v4.LastSignalAt));
        entity.Tell(Report(Node, inc, 5, tip: 1002, current: 1006) with { LastSignal = SignalOutcome.Verified, LastSignalAt = at.AddMinutes(1) }, conn);
        Assert.Equal(at.AddMinutes(1), arbiter.ExpectMsg<NodeViewChanged>().View.LastSignalAt); // same outcome, a later signal
    }

    [Theory]
    [InlineData("mars", 1, true, "region 'mars' is not configured")]
    [InlineData("us-east-1", 99, true, "protocol version 99")]
    [InlineData("us-east-1", 1, false, "unknown pool 'pool1'")]
    public void Refuses_bad_registrations_with_a_reason(string region, int version, bool poolKnown, string reason)
    {
        var (entity, arbiter, specs, conn) = Start();
        var inc = Guid.NewGuid();
        entity.Tell(Register(Node, inc, region: region, version: version), conn);
        if (region == "us-east-1" && version == 1) AnswerPool(specs, poolKnown);
        var refused = conn.ExpectMsg<AgentRefused>();
        Assert.Contains(reason, refused.Reason);
        var view = arbiter.ExpectMsg<NodeViewChanged>().View;
        Assert.Contains(reason, view.Refused);

        // A refused node gets no grants.
        entity.Tell(new DeliverGrant(Node, new Grant("pool1", Node, inc, new TermId(1, "p"), TimeSpan.FromSeconds(5), TimeSpan.Zero, "x")), arbiter);
        arbiter.ExpectMsg<DeliveryFailed>();
        conn.ExpectNoMsg(TimeSpan.FromMilliseconds(100));
    }

    [Fact]
    public void A_refused_incarnation_asking_again_once_its_pool_is_known_is_accepted_and_eligible()
    {
        // Seen in the sandbox: agents registered before the coordinators loaded the CRs were refused "unknown pool",
        // re-registered (same incarnation) and were acknowledged, but their view kept the refusal: never eligible.
        var (entity, arbiter, specs, conn) = Start();
        var inc = Guid.NewGuid();
        entity.Tell(Register(Node, inc), conn);
        AnswerPool(specs, known: false);
        conn.ExpectMsg<AgentRefused>();
        Assert.NotNull(arbiter.ExpectMsg<NodeViewChanged>().View.Refused);

        entity.Tell(Register(Node, inc), conn);
        AnswerPool(specs, known: true);
        conn.ExpectMsg<AgentRegistered>();
        entity.Tell(Report(Node, inc, 1), conn);
        Assert.Null(arbiter.ExpectMsg<NodeViewChanged>().View.Refused);
        entity.Tell(new DeliverGrant(Node, new Grant("pool1", Node, inc, new TermId(1, "p"), TimeSpan.FromSeconds(5), TimeSpan.Zero, "x")), arbiter);
        conn.ExpectMsg<Grant>(); // relayed: no longer refused
    }

    [Fact]
    public void A_second_live_incarnation_is_a_duplicate_identity_until_the_first_goes_quiet()
    {
        var (entity, arbiter, specs, conn) = Start(staleAfter: TimeSpan.FromMilliseconds(600));
        var first = Guid.NewGuid();
        entity.Tell(Register(Node, first), conn);
        AnswerPool(specs, true);
        conn.ExpectMsg<AgentRegistered>();
        entity.Tell(Report(Node, first, 1), conn);
        arbiter.ExpectMsg<NodeViewChanged>();

        var other = CreateTestProbe();
        var second = Guid.NewGuid();
        entity.Tell(Register(Node, second), other);
        var refused = other.ExpectMsg<AgentRefused>();
        Assert.Contains("duplicate node identity east/bp-0", refused.Reason);
        arbiter.ExpectNoMsg(TimeSpan.FromMilliseconds(100)); // the registered incarnation's view is untouched

        // A notice from a link that is not the registered one changes nothing (the agent moved on, its old link's notice
        // came late); the registered link's drop does, and the new incarnation may take over.
        entity.Tell(new AgentDisconnected(Node, first, "old link closed"), other);
        arbiter.ExpectNoMsg(TimeSpan.FromMilliseconds(100));
        entity.Tell(new AgentDisconnected(Node, first, "link closed"), conn);
        Assert.False(arbiter.ExpectMsg<NodeViewChanged>().View.Connected);
        entity.Tell(Register(Node, second), other);
        AnswerPool(specs, true);
        other.ExpectMsg<AgentRegistered>();
        entity.Tell(Report(Node, second, 1), other);
        Assert.Equal(second, arbiter.ExpectMsg<NodeViewChanged>().View.Incarnation);
    }

    [Fact]
    public void Relays_grants_and_revokes_only_to_the_registered_incarnation_and_forwards_releases()
    {
        var (entity, arbiter, conn, inc) = Reporting();

        var term = new TermId(4, "arb");
        var grant = new Grant("pool1", Node, inc, term, TimeSpan.FromSeconds(5), TimeSpan.Zero, "best");
        entity.Tell(new DeliverGrant(Node, grant), arbiter);
        Assert.Equal(grant, conn.ExpectMsg<Grant>());

        entity.Tell(new DeliverGrant(Node, grant with { Incarnation = Guid.NewGuid() }), arbiter);
        Assert.Contains("is not the registered one", arbiter.ExpectMsg<DeliveryFailed>().Reason);

        var revoke = new Revoke("pool1", Node, inc, term, true, "maintenance");
        entity.Tell(new DeliverRevoke(Node, revoke), arbiter);
        Assert.Equal(revoke, conn.ExpectMsg<Revoke>());

        var released = new Released("pool1", Node, inc, term, "verified off");
        entity.Tell(released, conn);
        Assert.Equal(released, arbiter.ExpectMsg<Released>());
        entity.Tell(released with { Incarnation = Guid.NewGuid() }, conn); // another incarnation's release: dropped
        arbiter.ExpectNoMsg(TimeSpan.FromMilliseconds(100));

        Watch(conn.Ref);
        Sys.Stop(conn.Ref);
        ExpectTerminated(conn.Ref);
        Assert.False(arbiter.ExpectMsg<NodeViewChanged>().View.Connected);
    }

    [Fact]
    public void An_agent_that_moved_to_another_link_stays_connected_when_the_old_links_notice_comes_late()
    {
        // An agent returning to its region's coordinator registers there first; the link it left reports its close later.
        var (entity, arbiter, away, inc) = Reporting();

        var home = RegisteredAgain(entity, arbiter, inc);
        entity.Tell(new AgentDisconnected(Node, inc, "returning to coordinator home"), away);
        arbiter.ExpectNoMsg(TimeSpan.FromMilliseconds(200));
        var grant = GrantTo(inc);
        entity.Tell(new DeliverGrant(Node, grant), arbiter);
        Assert.Equal(grant, home.ExpectMsg<Grant>()); // relayed on the link it is registered on now
        away.ExpectNoMsg(TimeSpan.FromMilliseconds(100));
    }

    [Fact]
    public void A_report_from_another_link_after_the_registered_one_closed_makes_that_link_the_agents()
    {
        // A registration that arrived after its link had closed (a return home not taken) left the entity on a dead
        // link while the agent kept reporting through the one it stayed on.
        var (entity, arbiter, stayed, inc) = Reporting();
        var tried = RegisteredAgain(entity, arbiter, inc);
        entity.Tell(new AgentDisconnected(Node, inc, "not taken"), tried);
        Assert.False(arbiter.ExpectMsg<NodeViewChanged>().View.Connected);

        entity.Tell(Report(Node, inc, 2), stayed);
        Assert.True(arbiter.ExpectMsg<NodeViewChanged>().View.Connected);
        var grant = GrantTo(inc);
        entity.Tell(new DeliverGrant(Node, grant), arbiter);
        Assert.Equal(grant, stayed.ExpectMsg<Grant>());
    }

    [Fact]
    public void A_report_without_registration_asks_the_connection_to_register_again()
    {
        var (entity, _, _, conn) = Start();
        entity.Tell(Report(Node, Guid.NewGuid(), 1), conn);
        conn.ExpectMsg<RegistrationLost>();
    }

    [Fact]
    public void The_arbiter_can_refuse_a_node_later()
    {
        var (entity, arbiter, conn, inc) = Reporting();
        entity.Tell(new RefuseNode(Node, inc, "credentials are registered under pool 'other'"));
        Assert.Contains("pool 'other'", conn.ExpectMsg<AgentRefused>().Reason);
        Assert.NotNull(arbiter.ExpectMsg<NodeViewChanged>().View.Refused);
    }
}
