using System.Collections.Concurrent;
using System.Net;
using Akka.Actor;
using Akka.TestKit;
using Akka.TestKit.Xunit2;
using Forge.Arbiter;
using Forge.Decider;
using Forge.Grants;
using Forge.Health;
using Forge.Nodes;
using Forge.Protocol;
using Forge.Specs;
using Forge.Transport;
using Xunit;
using static Forge.Coordinator.Tests.Fixtures;

namespace Forge.Coordinator.Tests.Nodes;

/// <summary>
/// A standalone region (single-cluster mode) on the real grant module: the agent link hands its request to the grant
/// proposer, the quorum grants an exclusive term, its renewals go through the renewal batcher, and the arbiter — a
/// different coordinator's proposer — is held off with a loud status and no tight proposal loop; a second standalone
/// region is refused.
/// </summary>
public sealed class StandaloneRegionSpec : TestKit
{
    private static readonly GrantSettings Grants = new([.. Regions], TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(30),
        TimeSpan.FromMilliseconds(500), 100_000, TimeSpan.FromMilliseconds(20), TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(1), "/unused");
    private static readonly ArbiterSettings Arbiter = new(
        decideInterval: TimeSpan.FromMilliseconds(100), revokeTimeout: TimeSpan.FromSeconds(2),
        proposeTimeout: TimeSpan.FromSeconds(5), startupSettle: TimeSpan.FromMilliseconds(200),
        viewStaleAfter: TimeSpan.FromSeconds(30), grantTtl: TimeSpan.FromSeconds(5), historySize: 20);
    private static readonly TimeSpan Lease = TimeSpan.FromSeconds(15);
    private static readonly NodeId Standalone = NodeId.Parse("eu/bp-0");
    private static readonly NodeId Other = NodeId.Parse("west/bp-0");

    private readonly Dictionary<string, IActorRef> _replicas = [];
    private readonly IActorRef _gatewayProposer;
    private readonly IActorRef _batcher;
    private readonly TestProbe _nodes;

    public StandaloneRegionSpec()
    {
        ReplicaDirectory dir = region => _replicas[region];
        foreach (var r in Grants.Regions)
        {
            var store = new MemoryReplicaStore();
            store.Save(ReplicaState.Fresh with { Recovering = false }, TimeSpan.Zero);
            _replicas[r] = Sys.ActorOf(GrantReplicaActor.Props(Grants, r, store, dir, StopwatchClock.Instance), $"replica-{r}");
        }
        _gatewayProposer = Sys.ActorOf(GrantProposerActor.Props(Grants, "coord-eu", dir), "proposer-eu");
        _batcher = Sys.ActorOf(RenewalBatcherActor.Props(Grants, dir), "renewals-eu");
        _nodes = CreateTestProbe("nodes");
    }

    private (IActorRef Link, RecordingSession Session) Connect(long id)
    {
        var session = new RecordingSession(id);
        return (Sys.ActorOf(AgentConnection.Props(session, _nodes, _batcher, _gatewayProposer)), session);
    }

    private void Register(IActorRef link, RecordingSession session, NodeId node, Guid inc, string region)
    {
        link.Tell(new AgentConnection.FromAgent(Fixtures.Register(node, inc, region: region) with { Mode = AgentMode.SingleCluster }));
        _nodes.ExpectMsg<RegisterAgent>(r => r.Node == node);
        _nodes.Reply(new AgentRegistered(node, inc, "coord-eu"));
        Assert.Equal(AgentProtocol.Revision, session.Next<AgentRegistered>().Revision);
    }

    [Fact]
    public void Standalone_term_holds_the_arbiter_off_and_refuses_a_second_region()
    {
        var inc = Guid.NewGuid();
        var (link, session) = Connect(1);

        // a link that has not registered as this node gets no term
        link.Tell(new AgentConnection.FromAgent(new StandaloneTermRequest("pool1", Standalone, "eu-west-1", inc, Lease, 1)));
        Assert.Equal(StandaloneRefusal.Invalid, session.Next<StandaloneTermRefused>().Cause);

        Register(link, session, Standalone, inc, "eu-west-1");
        link.Tell(new AgentConnection.FromAgent(new StandaloneTermRequest("pool1", Standalone, "eu-west-1", inc, Lease, 2)));
        var grant = session.Next<Grant>();
        Assert.Equal(Standalone, grant.Holder);
        Assert.Equal(inc, grant.Incarnation);
        Assert.Equal(Lease, grant.Ttl);

        // renewals of the term go to the batcher like any term's
        link.Tell(new AgentConnection.FromAgent(new GrantRequest("pool1", Standalone, inc, grant.Term, 3)));
        var renewed = session.Next<Renewed>();
        Assert.Equal(3, renewed.RequestId);
        Assert.True(renewed.AcceptedByRegions.Length >= Grants.Majority);

        // the arbiter on another coordinator wants west to forge: the quorum holds it off
        var arbiterProposer = Sys.ActorOf(GrantProposerActor.Props(Grants, "coord-us", r => _replicas[r]), "proposer-us");
        var port = Sys.ActorOf(GrantProposerPort.Props(arbiterProposer));
        var proposals = CreateTestProbe("grant-port");
        proposals.IgnoreMessages(m => m is FindQuietTerms or FindCurrentTerms);
        var arbiter = Sys.ActorOf(ForgeArbiter.Props(Arbiter, DeciderSettings.Default, CreateTestProbe(), CreateTestProbe(), proposals,
            null, new Forge.Coordinator.Tests.Health.ScriptedProbe(), HealthSettings.Default));
        var westInc = Guid.NewGuid();
        arbiter.Tell(Pool("pool1", Entry("pool1", "west", 1, "us-west-2")));
        arbiter.Tell(new NodeViewChanged(View("pool1", Other, westInc)));
        var p = proposals.ExpectMsg<ProposeGrant>(TimeSpan.FromSeconds(5));
        Assert.Equal(Other, p.Holder);
        proposals.Forward(port);
        // held off for about one lease hold: no new proposal every decide interval (100 ms)
        proposals.ExpectNoMsg(TimeSpan.FromSeconds(1.5));
        arbiter.Tell(new GetPoolState("pool1"));
        var state = ExpectMsg<PoolState>();
        var held = Assert.Single(state.History, h => h.Kind == "held-by-standalone");
        Assert.Equal(grant.Term, held.Term);
        Assert.Contains("standalone region term", held.Reason, StringComparison.Ordinal);
        Assert.Null(state.Holder);

        // a second standalone region is refused, naming the live term
        var otherInc = Guid.NewGuid();
        var (link2, session2) = Connect(2);
        Register(link2, session2, Other, otherInc, "us-west-2");
        link2.Tell(new AgentConnection.FromAgent(new StandaloneTermRequest("pool1", Other, "us-west-2", otherInc, Lease, 1)));
        var refused = session2.Next<StandaloneTermRefused>();
        Assert.Equal(StandaloneRefusal.HeldByLiveTerm, refused.Cause);
        Assert.Equal(grant.Term, refused.HeldBy);

        // the standalone holder keeps renewing
        link.Tell(new AgentConnection.FromAgent(new Renew("pool1", Standalone, inc, grant.Term, 4)));
        Assert.Equal(4, session.Next<Renewed>().RequestId);
    }

    [Fact]
    public void Requests_for_another_node_or_before_the_registration_was_accepted_are_refused()
    {
        var inc = Guid.NewGuid();
        var (link, session) = Connect(3);
        link.Tell(new AgentConnection.FromAgent(Fixtures.Register(Standalone, inc, region: "eu-west-1")));
        _nodes.ExpectMsg<RegisterAgent>();
        link.Tell(new AgentConnection.FromAgent(new StandaloneTermRequest("pool1", Standalone, "eu-west-1", inc, Lease, 1)));
        Assert.Contains("not accepted", session.Next<StandaloneTermRefused>().Reason, StringComparison.Ordinal);

        _nodes.Reply(new AgentRefused(Standalone, inc, "unknown pool"));
        session.Next<AgentRefused>();
        link.Tell(new AgentConnection.FromAgent(new StandaloneTermRequest("pool1", Other, "eu-west-1", inc, Lease, 2)));
        var wrong = session.Next<StandaloneTermRefused>();
        Assert.Equal(StandaloneRefusal.Invalid, wrong.Cause);
        Assert.Contains("registered as eu/bp-0", wrong.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void A_lease_longer_than_max_ttl_is_refused_as_invalid()
    {
        var inc = Guid.NewGuid();
        var (link, session) = Connect(4);
        Register(link, session, Standalone, inc, "eu-west-1");
        link.Tell(new AgentConnection.FromAgent(new StandaloneTermRequest("pool1", Standalone, "eu-west-1", inc, TimeSpan.FromMinutes(5), 1)));
        var refused = session.Next<StandaloneTermRefused>();
        Assert.Equal(StandaloneRefusal.Invalid, refused.Cause);
        Assert.Contains("max-ttl", refused.Reason, StringComparison.Ordinal);
    }
}
