using Akka.Actor;
using Akka.Cluster.Tools.PublishSubscribe;
using Akka.Event;
using Forge.Grants;
using Forge.Protocol;
using Forge.Transport;

namespace Forge.Nodes;

/// <summary>
/// One agent link on this coordinator (local actor, one per gateway session). Registration, reports and releases go
/// to the agent's node entity (Sharding); GrantRequest and Renew go to this coordinator's renewal batcher, never
/// through Sharding or the singleton; whatever the entity or the batcher answers is sent down the link.
/// A <see cref="StandaloneTermRequest"/> (a standalone region's Lease leader, protocol revision 2) goes to this
/// coordinator's grant proposer as <see cref="ProposeTerm.Standalone"/>, only from a link whose registration for that
/// very node and incarnation was accepted; the answer is the term's <see cref="Grant"/> or a
/// <see cref="StandaloneTermRefused"/> with the cause. Its renewals then travel like any term's (the batcher).
/// </summary>
public sealed class AgentConnection : ReceiveActor
{
    /// <summary>A message that arrived from the agent.</summary>
    public sealed record FromAgent(IAgentProtocolMessage Message);

    /// <summary>The gateway closed the session.</summary>
    public sealed record SessionClosed(string Reason);

    private readonly IAgentSession _session;
    private readonly IActorRef _nodes;
    private readonly IActorRef _renewals;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly IActorRef? _proposer;
    private readonly IActorRef? _mediator;
    private string? _grantTopic;
    private RegisterAgent? _registration;
    private AgentRegistered? _lastAck;
    private bool _accepted;
    /// <summary>The entity refused this link's registration (a grant broadcast is not passed on then).</summary>
    private bool _refused;
    private StandaloneProposal? _standalone;
    private readonly int _syncedMaxLagSlots;
    private readonly string _coordinatorId;
    /// <summary>The registered agent's last status report, and when it was last heard (monotonic).</summary>
    private NodeStatusReport? _report;
    private TimeSpan _lastHeard;

    /// <summary>The standalone request being proposed (one at a time per link); <see cref="Retried"/>: proposed again
    /// once above a higher term a replica reported.</summary>
    private sealed record StandaloneProposal(StandaloneTermRequest Request, bool Retried, TimeSpan Since);

    /// <summary>The proposer answers within its round timeout; a proposal older than this was lost (proposer restart)
    /// and a new request proposes again.</summary>
    private static readonly TimeSpan StandaloneAnswerWithin = TimeSpan.FromSeconds(10);

    /// <param name="nodes">The node shard region.</param>
    /// <param name="renewals">This coordinator's renewal batcher (the grant module).</param>
    /// <param name="proposer">This coordinator's grant proposer (standalone regions), or null when not wired.</param>
    /// <param name="mediator">DistributedPubSub mediator: an accepted link subscribes to its pool's grant broadcasts
    /// (<see cref="GrantBroadcast"/>) and view asks (<see cref="AskLinkedAgents"/>); null: grants come through the entity only.</param>
    /// <param name="syncedMaxLagSlots">forge.decider.synced-max-lag-slots, for the views it answers with.</param>
    /// <param name="coordinatorId">This coordinator's id, for the views it answers with.</param>
    public static Props Props(IAgentSession session, IActorRef nodes, IActorRef renewals, IActorRef? proposer = null, IActorRef? mediator = null,
        int syncedMaxLagSlots = SyncDefinition.DefaultMaxLagSlots, string coordinatorId = "") =>
        Akka.Actor.Props.Create(() => new AgentConnection(session, nodes, renewals, proposer, mediator, syncedMaxLagSlots, coordinatorId));

    public AgentConnection(IAgentSession session, IActorRef nodes, IActorRef renewals, IActorRef? proposer = null, IActorRef? mediator = null,
        int syncedMaxLagSlots = SyncDefinition.DefaultMaxLagSlots, string coordinatorId = "")
    {
        _session = session;
        _nodes = nodes;
        _renewals = renewals;
        _proposer = proposer;
        _mediator = mediator;
        _syncedMaxLagSlots = syncedMaxLagSlots;
        _coordinatorId = coordinatorId;

        Receive<FromAgent>(f => OnAgent(f.Message));
        Receive<SessionClosed>(c =>
        {
            if (_registration is { } r) _nodes.Tell(new AgentDisconnected(r.Node, r.Incarnation, c.Reason));
            Context.Stop(Self);
        });
        Receive<RegistrationLost>(_ =>
        {
            if (_registration is { } r) _nodes.Tell(r, Self);
        });
        Receive<AgentRegistered>(a =>
        {
            _accepted = _registration is { } reg && reg.Node == a.Node && reg.Incarnation == a.Incarnation;
            if (_accepted) _refused = false;
            if (a == _lastAck) return; // a re-registration after an entity move: the agent knows already
            _lastAck = a;
            // this link serves revision-2 messages whatever the entity's coordinator runs
            _session.Send(a with { Revision = AgentProtocol.Revision });
        });
        Receive<AgentRefused>(a =>
        {
            _accepted = false;
            _refused = true;
            _session.Send(a);
        });
        // Not gated on the entity's acceptance: after a region loss the entity may be unreachable until Sharding moves it
        // (10+ s), and the grant names the incarnation, a random id only that agent knows. A refusal stops it.
        Receive<GrantBroadcast>(b =>
        {
            if (!_refused && _registration is { } reg && reg.Node == b.Grant.Holder && reg.Incarnation == b.Grant.Incarnation)
                _session.Send(b.Grant);
        });
        // Views by the same path (a failover watch whose candidates' entities may be out of reach): only the agent's own
        // registration and report, as its entity would say; nothing after a refusal, nor before the agent's first report
        // on this link (its entity stays quiet then too: "not alive" would be a guess).
        Receive<AskLinkedAgents>(a =>
        {
            if (!_refused && _report is not null && _registration is { } reg && reg.PoolId == a.PoolId
                && (a.Nodes.IsDefaultOrEmpty || a.Nodes.Contains(reg.Node)))
                Sender.Tell(new LinkedAgentView(NodeView.Of(reg, _report, connected: true, refused: null, _coordinatorId,
                    Now - _lastHeard, _syncedMaxLagSlots)));
        });
        Receive<SubscribeAck>(_ => { });
        Receive<UnsubscribeAck>(_ => { });
        Receive<TermGranted>(OnStandaloneGranted);
        Receive<TermNotGranted>(OnStandaloneNotGranted);
        Receive<IAgentProtocolMessage>(m => _session.Send(m));
    }

    private TimeSpan Now => Context.System.Scheduler.MonotonicClock;

    private void OnAgent(IAgentProtocolMessage m)
    {
        switch (m)
        {
            case RegisterAgent r:
                if (_registration is not { } same || same.Incarnation != r.Incarnation) _report = null;
                _lastHeard = Now;
                if (_registration is { } old && (old.Node != r.Node || old.Incarnation != r.Incarnation))
                    _nodes.Tell(new AgentDisconnected(old.Node, old.Incarnation, "the link re-registered as another node"));
                _registration = r;
                _lastAck = null;
                _accepted = false;
                _refused = false;
                SubscribeGrants(r.PoolId);
                _nodes.Tell(r, Self);
                break;
            case Released:
                // The quorum needs the release (planned-handover shortcut); the arbiter needs it to move on.
                _renewals.Tell(m, Self);
                _nodes.Tell(m, Self);
                break;
            case NodeStatusReport report:
                if (_registration is { } reg && reg.Node == report.Node && reg.Incarnation == report.Incarnation
                    && (_report is null || report.Sequence > _report.Sequence))
                {
                    _report = report;
                    _lastHeard = Now;
                }
                _nodes.Tell(m, Self);
                break;
            case HandoverRequest:
                _nodes.Tell(m, Self);
                break;
            case GrantRequest or Renew:
                _renewals.Tell(m, Self);
                break;
            case StandaloneTermRequest sr:
                OnStandaloneRequest(sr);
                break;
            case Ping p:
                _session.Send(new Pong(p.Nonce));
                break;
            case Pong:
                break;
            default:
                _log.Warning("{0}: unexpected {1} from the agent", _session, m.GetType().Name);
                break;
        }
    }

    private void SubscribeGrants(string poolId)
    {
        var topic = GrantTopics.Of(poolId);
        if (_mediator is null || _grantTopic == topic) return;
        if (_grantTopic is not null) _mediator.Tell(new Unsubscribe(_grantTopic, Self));
        _grantTopic = topic;
        _mediator.Tell(new Subscribe(topic, Self));
    }

    private void OnStandaloneRequest(StandaloneTermRequest r)
    {
        if (_proposer is null)
        {
            RefuseStandalone(r, StandaloneRefusal.NoMajority, TermId.None, "the grant module is not wired on this coordinator");
            return;
        }
        var invalid =
            _registration is not { } reg ? "the link has not registered"
            : reg.Node != r.Node || reg.Incarnation != r.Incarnation || reg.PoolId != r.PoolId || reg.Region != r.Region
                ? $"the link is registered as {reg.Node} (incarnation {reg.Incarnation}, pool {reg.PoolId}, region {reg.Region})"
            : !_accepted ? "the link's registration was not accepted (yet)"
            : null;
        if (invalid is not null)
        {
            RefuseStandalone(r, StandaloneRefusal.Invalid, TermId.None, invalid);
            return;
        }
        var now = Context.System.Scheduler.MonotonicClock;
        if (_standalone is { } pending && now - pending.Since < StandaloneAnswerWithin)
        {
            _standalone = _standalone with { Request = r }; // one proposal at a time: its outcome answers the newest request
            return;
        }
        _log.Info("{0}: standalone region {1} asks for a term for {2} (lease {3}s, request {4})", _session, r.Region, r.Node,
            r.LeaseDuration.TotalSeconds, r.RequestId);
        _standalone = new StandaloneProposal(r, false, now);
        _proposer.Tell(ProposeTerm.Standalone(r.PoolId, r.Node, r.Incarnation, r.LeaseDuration, r.Above ?? TermId.None));
    }

    private void OnStandaloneGranted(TermGranted g)
    {
        if (_standalone is not { } p || g.Holder != p.Request.Node || g.Incarnation != p.Request.Incarnation) return;
        _standalone = null;
        _log.Warning("{0}: standalone region term {1} granted to {2} by regions [{3}]: every other region is held off until " +
                     "it is released or lapses", _session, g.Term, g.Holder, string.Join(", ", g.AcceptedByRegions));
        _session.Send(g.ToAgentGrant());
    }

    private void OnStandaloneNotGranted(TermNotGranted n)
    {
        if (_standalone is not { } p || n.PoolId != p.Request.PoolId) return;
        var r = p.Request;
        if (!p.Retried && n.HeldFor <= TimeSpan.Zero && !n.Tried.IsNone && n.HighestSeen > n.Tried)
        {
            // the proposer knew an older term than the replicas: once more, above the highest one they reported
            _standalone = p with { Retried = true };
            var above = r.Above is { } a && a > n.HighestSeen ? a : n.HighestSeen;
            _proposer!.Tell(ProposeTerm.Standalone(r.PoolId, r.Node, r.Incarnation, r.LeaseDuration, above));
            return;
        }
        _standalone = null;
        var cause = n.HeldFor > TimeSpan.Zero ? StandaloneRefusal.HeldByLiveTerm
            : n.Tried.IsNone ? StandaloneRefusal.Invalid
            : StandaloneRefusal.NoMajority;
        RefuseStandalone(r, cause, n.HeldBy ?? TermId.None, n.Reason);
    }

    private void RefuseStandalone(StandaloneTermRequest r, StandaloneRefusal cause, TermId heldBy, string reason)
    {
        _log.Warning("{0}: no standalone term for {1} (request {2}): {3}: {4}", _session, r.Node, r.RequestId, cause, reason);
        _session.Send(new StandaloneTermRefused(r.Node, r.Incarnation, r.RequestId, cause, heldBy, reason));
    }
}
