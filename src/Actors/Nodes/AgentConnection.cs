using Akka.Actor;
using Akka.Event;
using Forge.Protocol;
using Forge.Transport;

namespace Forge.Nodes;

/// <summary>
/// One agent link on this coordinator (local actor, one per gateway session). Registration, reports and releases go
/// to the agent's node entity (Sharding); GrantRequest and Renew go to this coordinator's renewal batcher, never
/// through Sharding or the singleton; whatever the entity or the batcher answers is sent down the link.
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
    private RegisterAgent? _registration;
    private AgentRegistered? _lastAck;

    /// <param name="nodes">The node shard region.</param>
    /// <param name="renewals">This coordinator's renewal batcher (the grant module).</param>
    public static Props Props(IAgentSession session, IActorRef nodes, IActorRef renewals) =>
        Akka.Actor.Props.Create(() => new AgentConnection(session, nodes, renewals));

    public AgentConnection(IAgentSession session, IActorRef nodes, IActorRef renewals)
    {
        _session = session;
        _nodes = nodes;
        _renewals = renewals;

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
            if (a == _lastAck) return; // a re-registration after an entity move: the agent knows already
            _lastAck = a;
            _session.Send(a);
        });
        Receive<IAgentProtocolMessage>(m => _session.Send(m));
    }

    private void OnAgent(IAgentProtocolMessage m)
    {
        switch (m)
        {
            case RegisterAgent r:
                if (_registration is { } old && (old.Node != r.Node || old.Incarnation != r.Incarnation))
                    _nodes.Tell(new AgentDisconnected(old.Node, old.Incarnation, "the link re-registered as another node"));
                _registration = r;
                _lastAck = null;
                _nodes.Tell(r, Self);
                break;
            case Released:
                // The quorum needs the release (planned-handover shortcut); the arbiter needs it to move on.
                _renewals.Tell(m, Self);
                _nodes.Tell(m, Self);
                break;
            case NodeStatusReport or HandoverRequest:
                _nodes.Tell(m, Self);
                break;
            case GrantRequest or Renew:
                _renewals.Tell(m, Self);
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
}
