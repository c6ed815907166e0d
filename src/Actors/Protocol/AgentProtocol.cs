using System.Collections.Immutable;

namespace Forge.Protocol;

// The agent ↔ coordinator protocol, version 1. Every message names the node (<cluster>/<pod>) and the agent's
// incarnation (a random 128-bit id per agent process start, never a PID) so a restarted agent never inherits a term.
// Grant messages carry the term (counter, proposer) with the TTL it was granted with; requests carry a request id
// unique per incarnation, so an answer is only ever taken as the answer to the request it names.

public static class AgentProtocol
{
    /// <summary>The base protocol a registration names (a coordinator refuses any other).</summary>
    public const int Version = 1;

    /// <summary>The newest revision this build speaks. Revisions only add optional messages and fields, so a
    /// revision-1 peer still decodes everything it knows. Revision 2 adds <see cref="StandaloneTermRequest"/> /
    /// <see cref="StandaloneTermRefused"/>; a coordinator announces its revision in
    /// <see cref="AgentRegistered.Revision"/> (absent = 1), and an agent sends revision-2 messages only to a coordinator
    /// that announced 2 or more.</summary>
    public const int Revision = 2;
}

/// <summary>How the agent drives its node.</summary>
public enum AgentMode
{
    /// <summary>Normal: grants come from the coordinators' quorum.</summary>
    Cluster,
    /// <summary>ENABLE_CLUSTER_MANAGEMENT=false: the region's agents elect a leader through a Kubernetes Lease.</summary>
    SingleCluster,
}

/// <summary>Verified forging state of a node: what the node's log and metrics prove, not what was asked.</summary>
public enum VerifiedForging
{
    Unknown,
    Off,
    On,
}

/// <summary>Outcome of the last SIGHUP the fence sent and verified.</summary>
public enum SignalOutcome
{
    None,
    Verified,
    /// <summary>The signal could not be sent (no such process, PID mismatch).</summary>
    SendFailed,
    /// <summary>Sent, but the expected state was not observed in time.</summary>
    VerifyTimeout,
    /// <summary>The node logged BlockForgingUpdateError; its state is unchanged.</summary>
    NodeRejected,
    /// <summary>Disabling could not be verified, so the fence killed the node.</summary>
    Killed,
}

/// <summary>Health of a CardanoForgeCluster as the coordinator last saw it.</summary>
public enum ClusterHealth
{
    Unknown,
    Healthy,
    Unhealthy,
}

/// <summary>Agent → coordinator, first message on a connection (and again after any reconnect).</summary>
public sealed record RegisterAgent(
    int ProtocolVersion,
    string PoolId,
    NodeId Node,
    string Region,
    Guid Incarnation,
    CredentialFingerprint Credentials,
    AgentMode Mode) : IAgentProtocolMessage;

/// <summary>Coordinator → agent: registration accepted; <paramref name="CoordinatorId"/> names who answered.</summary>
/// <param name="Revision">The protocol revision the answering coordinator's link speaks (absent on the wire from a
/// revision-1 coordinator, hence 1).</param>
public sealed record AgentRegistered(NodeId Node, Guid Incarnation, string CoordinatorId, int Revision = 1) : IAgentProtocolMessage;

/// <summary>Coordinator → agent: registration refused (unknown pool, credentials registered under another pool,
/// duplicate identity, region not configured, protocol version). The agent reports it and never forges.</summary>
public sealed record AgentRefused(NodeId Node, Guid Incarnation, string Reason) : IAgentProtocolMessage;

/// <summary>Agent → coordinator, periodically and on every change.</summary>
/// <param name="Sequence">Increases per report within an incarnation; older reports are ignored.</param>
/// <param name="Alive">The node process runs and answers its metrics endpoint.</param>
/// <param name="TipSlot">The node's tip slot (-1 when unknown).</param>
/// <param name="CurrentSlot">The current slot by the node's slot clock.</param>
/// <param name="Synced">By <see cref="SyncDefinition"/>; sent for display, the coordinator recomputes it.</param>
/// <param name="LastSignalAt">When the agent saw the outcome of <paramref name="LastSignal"/> (its wall clock); null
/// when unknown: no signal yet, one from before the agent started, or an agent older than this field.</param>
public sealed record NodeStatusReport(
    NodeId Node,
    Guid Incarnation,
    long Sequence,
    bool Alive,
    bool Synced,
    long TipSlot,
    long CurrentSlot,
    VerifiedForging Forging,
    SignalOutcome LastSignal,
    int? KesPeriodsRemaining,
    TermId HeldTerm,
    DateTimeOffset? LastSignalAt = null) : IAgentProtocolMessage;

/// <summary>Coordinator → agent: a term was majority-accepted for this incarnation. It is not permission to forge:
/// the agent must send a <see cref="GrantRequest"/> and forge only on its majority-accepted <see cref="Renewed"/>.</summary>
/// <param name="ActivationDelay">How long the proposer computed the new term must wait before it may forge
/// (previous term's wait TTL plus margin, minus credit); the replicas enforce it, this is a hint for scheduling.</param>
public sealed record Grant(
    string PoolId,
    NodeId Holder,
    Guid Incarnation,
    TermId Term,
    TimeSpan Ttl,
    TimeSpan ActivationDelay,
    string Reason) : IAgentProtocolMessage;

/// <summary>Agent → coordinator: ask the quorum to confirm <paramref name="Term"/> for this incarnation now.
/// The permission it earns runs from the request's send time (taken before sending, CLOCK_BOOTTIME).</summary>
public sealed record GrantRequest(string PoolId, NodeId Node, Guid Incarnation, TermId Term, long RequestId)
    : IAgentProtocolMessage;

/// <summary>Agent → coordinator: extend the permission for the term it holds.</summary>
public sealed record Renew(string PoolId, NodeId Node, Guid Incarnation, TermId Term, long RequestId)
    : IAgentProtocolMessage;

/// <summary>Coordinator → agent: a majority of configured regions accepted the request <paramref name="RequestId"/>.
/// The agent may forge until (send time of that request + <paramref name="Ttl"/> − margin − fence disable bound).</summary>
public sealed record Renewed(
    NodeId Node,
    Guid Incarnation,
    TermId Term,
    TimeSpan Ttl,
    long RequestId,
    ImmutableArray<string> AcceptedByRegions) : IAgentProtocolMessage;

/// <summary>Coordinator → agent: the request was not majority-accepted (superseded by a higher term, not yet
/// active, no quorum reachable, unknown node). The agent must stop forging when its current permission ends.</summary>
public sealed record RenewRefused(NodeId Node, Guid Incarnation, TermId Term, long RequestId, string Reason)
    : IAgentProtocolMessage;

/// <summary>Coordinator → agent: stop forging under <paramref name="Term"/> now; answer with <see cref="Released"/>
/// once the node is verified off. <paramref name="Planned"/> marks a handover (the release enables the shortcut).</summary>
public sealed record Revoke(string PoolId, NodeId Node, Guid Incarnation, TermId Term, bool Planned, string Reason)
    : IAgentProtocolMessage;

/// <summary>Agent → coordinator: the node was verified stopped for <paramref name="Term"/> (sent only after
/// verification). It names the incarnation, so a release never speaks for another process.</summary>
public sealed record Released(string PoolId, NodeId Node, Guid Incarnation, TermId Term, string Reason)
    : IAgentProtocolMessage;

/// <summary>Agent → coordinator: the agent is shutting down (SIGTERM, drain) while it holds a term; asks for a
/// planned handover before it exits.</summary>
public sealed record HandoverRequest(string PoolId, NodeId Node, Guid Incarnation, TermId Term, string Reason)
    : IAgentProtocolMessage;

/// <summary>Coordinator → agent: what the agent exports as the guide's <c>cardano_cluster_*</c> series.</summary>
/// <param name="SpecPriority">The spec's priority (the <c>priority</c> label of cardano_cluster_forge_enabled).</param>
/// <param name="EffectivePriority">The priority in force (cardano_cluster_forge_priority).</param>
public sealed record ClusterInfo(
    string ClusterName,
    string Region,
    int SpecPriority,
    int EffectivePriority,
    string EffectiveState,
    ClusterHealth Health,
    long Version) : IAgentProtocolMessage;

/// <summary>Either side: keep-alive on an idle link; echoed back with the same nonce.</summary>
public sealed record Ping(long Nonce) : IAgentProtocolMessage;

/// <summary>Answer to <see cref="Ping"/>.</summary>
public sealed record Pong(long Nonce) : IAgentProtocolMessage;

/// <summary>Agent → coordinator (revision 2): the Lease leader of a standalone region (single-cluster mode) asks the
/// grant quorum for an ordinary term for itself, with the Lease duration as TTL, so every other region is held off
/// while it forges. Answered with a <see cref="Grant"/> for this incarnation (then GrantRequest/Renew as in cluster
/// mode) or a <see cref="StandaloneTermRefused"/> naming <paramref name="RequestId"/>.</summary>
/// <param name="Above">The term must be above this one (the highest term this incarnation already held, so its
/// terms keep growing across Lease-only and quorum footings).</param>
public sealed record StandaloneTermRequest(
    string PoolId,
    NodeId Node,
    string Region,
    Guid Incarnation,
    TimeSpan LeaseDuration,
    long RequestId,
    TermId? Above = null) : IAgentProtocolMessage;

/// <summary>Why a standalone term was not granted.</summary>
public enum StandaloneRefusal
{
    /// <summary>A live term holds the pool (another region forges, or may still): the agent must not forge.</summary>
    HeldByLiveTerm,
    /// <summary>The request is not acceptable (link not registered as this node, registration refused, TTL out of
    /// bounds): the agent must not forge and the operator must fix it.</summary>
    Invalid,
    /// <summary>No majority of replicas answered in time: the quorum is not reachable from this coordinator.</summary>
    NoMajority,
}

/// <summary>Coordinator → agent (revision 2): no standalone term. <paramref name="HeldBy"/> is the live term that
/// holds the pool when <paramref name="Cause"/> is <see cref="StandaloneRefusal.HeldByLiveTerm"/>.</summary>
public sealed record StandaloneTermRefused(
    NodeId Node,
    Guid Incarnation,
    long RequestId,
    StandaloneRefusal Cause,
    TermId HeldBy,
    string Reason) : IAgentProtocolMessage;
