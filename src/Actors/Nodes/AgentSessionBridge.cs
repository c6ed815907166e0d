using System.Collections.Concurrent;
using Akka.Actor;
using Akka.Cluster;
using Akka.Cluster.Tools.PublishSubscribe;
using Forge.Protocol;
using Forge.Transport;

namespace Forge.Nodes;

/// <summary>
/// The coordinator's <see cref="IAgentSessionHandler"/>: one <see cref="AgentConnection"/> actor per session; the
/// gateway's callbacks only tell that actor (never block, never touch actor state).
/// </summary>
/// <param name="syncedMaxLagSlots">forge.decider.synced-max-lag-slots (the links' <see cref="LinkedAgentView"/>s).</param>
/// <param name="coordinatorId">This coordinator's id (the links' <see cref="LinkedAgentView"/>s).</param>
public sealed class AgentSessionBridge(ActorSystem system, IActorRef nodes, IActorRef renewals, IActorRef? proposer = null,
    int syncedMaxLagSlots = SyncDefinition.DefaultMaxLagSlots, string coordinatorId = "")
    : IAgentSessionHandler
{
    private readonly ConcurrentDictionary<long, IActorRef> _connections = new();
    /// <summary>Grant broadcasts (<see cref="GrantBroadcast"/>) need the cluster's pub-sub; a local system has none.</summary>
    private readonly Lazy<IActorRef?> _mediator = new(() =>
        system is ExtendedActorSystem { Provider: ClusterActorRefProvider } ? DistributedPubSub.Get(system).Mediator : null);

    public int Sessions => _connections.Count;

    public void OnConnected(IAgentSession session) =>
        _connections[session.Id] = system.ActorOf(AgentConnection.Props(session, nodes, renewals, proposer, _mediator.Value,
            syncedMaxLagSlots, coordinatorId), $"agent-session-{session.Id}");

    public void OnMessage(IAgentSession session, IAgentProtocolMessage message)
    {
        if (_connections.TryGetValue(session.Id, out var c)) c.Tell(new AgentConnection.FromAgent(message));
    }

    public void OnDisconnected(IAgentSession session, string reason)
    {
        if (_connections.TryRemove(session.Id, out var c)) c.Tell(new AgentConnection.SessionClosed(reason));
    }
}
