using System.Collections.Immutable;
using Forge.Protocol;

namespace Forge.Decider;

/// <summary>The decider's notion of now: wall time (only for override expiry and condition timestamps) and a
/// monotonic reading (for every delay), so a wall-clock jump can only move forging through <c>expiresAt</c>.</summary>
public readonly record struct DeciderNow(DateTimeOffset Wall, TimeSpan Monotonic);

/// <summary>One node as the arbiter sees it.</summary>
/// <param name="Synced">By <see cref="SyncDefinition"/>, computed by the arbiter from the node's report.</param>
/// <param name="CredentialsCurrent">The node holds the pool's current credentials (highest opcert counter).</param>
public sealed record NodeInput(NodeId Id, bool Alive, bool Synced, long TipSlot, bool CredentialsCurrent)
{
    public bool Eligible => Alive && Synced && CredentialsCurrent;
}

/// <summary>Results of the cluster's health probes.</summary>
public sealed record HealthObservation(int ConsecutiveFailures, DateTimeOffset? LastProbe = null, string? Message = null)
{
    public static readonly HealthObservation None = new(0);
}

/// <param name="FirstSeen">When the arbiter first saw this cluster (Kubernetes creation times differ per region).</param>
public sealed record ClusterInput(
    string Name,
    DateTimeOffset FirstSeen,
    ClusterSpec? Spec,
    HealthObservation Health,
    ImmutableArray<NodeInput> Nodes);

/// <summary>Everything the decider knows about one pool.</summary>
public sealed record DeciderInputs(string PoolId, ImmutableArray<ClusterInput> Clusters);
