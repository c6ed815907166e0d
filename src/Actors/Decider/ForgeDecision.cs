using System.Collections.Immutable;
using Forge.Protocol;

namespace Forge.Decider;

/// <summary>The result of one decision for one pool.</summary>
/// <param name="Target">The node that should forge, or null for none.</param>
/// <param name="Moved">The target differs from the previous holder.</param>
/// <param name="Transition">Why the target is what it is (for history and Events), e.g. "spec change".</param>
public sealed record ForgeDecision(
    NodeId? Target,
    bool Moved,
    string Transition,
    ImmutableArray<DeciderAction> Actions,
    ImmutableArray<ClusterVerdict> Clusters,
    DeciderState Next)
{
    public ClusterVerdict? Cluster(string name) => Clusters.FirstOrDefault(c => c.Name == name);
}

/// <summary>What the status of one CardanoForgeCluster should say.</summary>
public sealed record ClusterVerdict(
    string Name,
    string EffectiveState,
    int? EffectivePriority,
    bool Eligible,
    bool Healthy,
    bool Forging,
    NodeId? ActiveLeader,
    string Reason,
    string Message,
    ImmutableArray<ClusterCondition> Conditions)
{
    public ClusterCondition? Condition(string type) => Conditions.FirstOrDefault(c => c.Type == type);

    /// <summary>The health observations the verdict was made from (for status.healthStatus).</summary>
    public HealthObservation Health { get; init; } = HealthObservation.None;

    /// <summary>The spec the verdict was made from: the CRD projection compares it with a resource's spec to say
    /// whether an edit is applied yet (by content, not by comparing clocks of different processes).</summary>
    public ClusterSpec? DecidedSpec { get; init; }
}

/// <summary>Something the arbiter must write besides status.</summary>
public abstract record DeciderAction;

/// <summary>The override of <paramref name="Cluster"/> expired: write <c>override.enabled: false</c>, set
/// <c>forgeState: Priority-based</c> if it was <c>Disabled</c>, and record an <c>OverrideExpired</c> Event.
/// Idempotent: repeated until the spec shows it written.</summary>
public sealed record RestoreOverride(string Cluster, DateTimeOffset ExpiredAt, bool ResetDisabledState, string Reason) : DeciderAction;
