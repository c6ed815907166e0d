using System.Collections.Immutable;
using Forge.Decider;
using Forge.Nodes;
using Forge.Protocol;

namespace Forge.Arbiter;

// The ForgeArbiter's public protocol. Queries go to the singleton proxy (Ask at the edge: HTTP, shell, projection);
// events are published on DistributedPubSub topics so any coordinator can subscribe.

/// <summary>DistributedPubSub topics the arbiter publishes on.</summary>
public static class ArbiterTopics
{
    /// <summary><see cref="PoolStateChanged"/>, whenever a pool's target, term, phase or verdicts change, or what a node
    /// reports (verified forging, held term, connection, liveness, sync, last signal); not for tips alone.</summary>
    public const string PoolState = "forge-pool-state";

    /// <summary><see cref="RestoreOverrideRequested"/>: the CRD projection writes them (idempotent, repeated until
    /// the spec shows them written).</summary>
    public const string Decisions = "forge-decisions";
}

/// <summary>Ask: the state of one pool. Answer: <see cref="PoolState"/> (unknown pools answer with an empty state).</summary>
public sealed record GetPoolState(string PoolId) : IForgeWireMessage;

/// <summary>Local, arbiter → its host's failover watch at start: the pool states the watch last received (published by
/// the previous arbiter). Answer: <see cref="WatchedStates"/>.</summary>
public sealed record GetWatchedStates
{
    public static readonly GetWatchedStates Instance = new();
}

public sealed record WatchedStates(ImmutableDictionary<string, PoolState> States);

/// <summary>Ask: every pool the arbiter knows. Answer: <see cref="PoolList"/>.</summary>
public sealed record ListPools : IForgeWireMessage
{
    public static readonly ListPools Instance = new();
}

public sealed record PoolList(ImmutableArray<PoolSummary> Pools) : IForgeWireMessage;

public sealed record PoolSummary(string PoolId, NodeId? Target, NodeId? Holder, TermId Term, string Phase);

/// <summary>One transition of a pool (target or grant change), with its reason; newest last.</summary>
public sealed record PoolTransition(DateTimeOffset At, string Kind, NodeId? From, NodeId? To, TermId Term, string Reason);

/// <summary>What the arbiter knows and decided about one pool.</summary>
/// <param name="Target">Who should forge (the decider's choice).</param>
/// <param name="Holder">Who holds the current term (granted by the quorum), which may lag the target during a handover.</param>
/// <param name="Phase">"idle", "revoking" (waiting for the holder's verified release) or "proposing".</param>
/// <param name="Clusters">Per CardanoForgeCluster verdict: effective state and priority, conditions, reason.</param>
public sealed record PoolState(
    string PoolId,
    NodeId? Target,
    NodeId? Holder,
    Guid? HolderIncarnation,
    TermId Term,
    string Phase,
    string Transition,
    ImmutableArray<ClusterVerdict> Clusters,
    ImmutableArray<NodeView> Nodes,
    ImmutableArray<PoolTransition> History,
    DateTimeOffset DecidedAt) : IForgeWireMessage
{
    public static PoolState Empty(string poolId) =>
        new(poolId, null, null, null, TermId.None, "unknown", "unknown pool", [], [], [], DateTimeOffset.MinValue);
}

/// <summary>Published on <see cref="ArbiterTopics.PoolState"/>.</summary>
public sealed record PoolStateChanged(PoolState State) : IForgeWireMessage;

/// <summary>Published on <see cref="ArbiterTopics.Decisions"/>: the decider's RestoreOverride action for one cluster.</summary>
public sealed record RestoreOverrideRequested(
    string PoolId,
    string Cluster,
    DateTimeOffset ExpiredAt,
    bool ResetDisabledState,
    string Reason) : IForgeWireMessage;

/// <summary>Local EventStream on the arbiter's coordinator, for metrics.</summary>
public sealed record ArbiterDecisionMeasured(string PoolId, TimeSpan Latency);

/// <summary>Local EventStream on the arbiter's coordinator, for metrics: pools per grant state.</summary>
public sealed record ArbiterGrantStates(ImmutableDictionary<string, int> PoolsByState);
