using System.Collections.Immutable;
using Forge.Protocol;

namespace Forge.Nodes;

// Messages of the node entities (Akka.Cluster.Sharding, one entity per <cluster>/<pod>). Most cross coordinators
// (an agent's connection, its entity and the arbiter can be on three different ones), so they are wire messages.
// The agent protocol's RegisterAgent, NodeStatusReport, Released and HandoverRequest are routed to the entity too.

/// <summary>A message for one node entity.</summary>
public interface INodeMessage
{
    NodeId Node { get; }
}

/// <summary>Connection → entity: the agent's link closed (or its connection actor stopped).</summary>
public sealed record AgentDisconnected(NodeId Node, Guid Incarnation, string Reason) : INodeMessage, IForgeWireMessage;

/// <summary>Entity → connection: the entity has no registration (it was moved or restarted); register again.</summary>
public sealed record RegistrationLost(NodeId Node) : IForgeWireMessage;

/// <summary>Arbiter → entity → agent: relay a grant to the agent's connection.</summary>
public sealed record DeliverGrant(NodeId Node, Grant Grant) : INodeMessage, IForgeWireMessage;

/// <summary>Arbiter or failover watch → every agent link of the pool (DistributedPubSub topic
/// <see cref="GrantTopics.Of"/>): the same grant as <see cref="DeliverGrant"/>, by a path that needs neither Sharding
/// nor the entity's host. After a region is lost, the new holder's entity may live on the lost side (or move only after
/// downing); the link that subscribed on the holder's own coordinator still gets the grant. Only the link registered as
/// the grant's holder and incarnation passes it on; the agent ignores the duplicate.</summary>
public sealed record GrantBroadcast(Grant Grant) : IForgeWireMessage;

/// <summary>Failover watch or arbiter → every agent link of the pool (the <see cref="GrantTopics.Of"/> topic): each link
/// registered as one of <paramref name="Nodes"/> (empty: as any node of the pool) answers the asker with a
/// <see cref="LinkedAgentView"/>. The arbiter asks them all: a new arbiter knows only the nodes whose entities have reached
/// it, and a node whose shard is still being allocated has none. Needs neither Sharding nor the
/// entities' hosts: after a region is lost, a surviving node's entity may live on the lost side until Sharding moves it
/// (its coordinator, a singleton on the oldest member, often dies with the region), while the agent's link is alive on
/// its own region's coordinator. Seen: a watch left with the arbiter's stale state granted a dead incarnation (13 s).</summary>
public sealed record AskLinkedAgents(string PoolId, ImmutableArray<NodeId> Nodes) : IForgeWireMessage;

/// <summary>Link → asker: the view of its registered agent (<see cref="NodeView.Of"/>), as fresh as the agent's last report.</summary>
public sealed record LinkedAgentView(NodeView View) : IForgeWireMessage;

public static class GrantTopics
{
    public static string Of(string poolId) => "forge-grants-" + poolId;
}

/// <summary>Arbiter → entity → agent: relay a revoke to the agent's connection.</summary>
public sealed record DeliverRevoke(NodeId Node, Revoke Revoke) : INodeMessage, IForgeWireMessage;

/// <summary>Arbiter → entity → agent: what the agent exports as cardano_cluster_* series.</summary>
public sealed record DeliverClusterInfo(NodeId Node, ClusterInfo Info) : INodeMessage, IForgeWireMessage;

/// <summary>Arbiter → entity: refuse this incarnation (e.g. its credentials are registered under another pool).</summary>
public sealed record RefuseNode(NodeId Node, Guid Incarnation, string Reason) : INodeMessage, IForgeWireMessage;

/// <summary>Entity → arbiter: a relay could not be delivered (no live connection for that incarnation).</summary>
public sealed record DeliveryFailed(NodeId Node, string What, string Reason) : IForgeWireMessage;

/// <summary>Entity → arbiter: the arbiter's view of one node changed (also re-sent periodically as a heartbeat).</summary>
public sealed record NodeViewChanged(NodeView View) : IForgeWireMessage;

/// <summary>Ask an entity for its view (shell, tests). Answered with <see cref="NodeViewChanged"/>.</summary>
public sealed record GetNodeView(NodeId Node) : INodeMessage, IForgeWireMessage;
