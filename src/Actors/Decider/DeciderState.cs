using System.Collections.Immutable;
using Forge.Protocol;

namespace Forge.Decider;

/// <summary>
/// The decider's own state, returned as <see cref="ForgeDecision.Next"/> and passed back as <c>previous</c>.
/// A new arbiter starts from <see cref="Initial"/> seeded with the holder known to the grant quorum; with no
/// remembered spec keys it treats nothing as a spec change, so a restart never cuts a failback delay short.
/// </summary>
/// <param name="Holder">The node the last decision chose (the current forger).</param>
/// <param name="SpecKeys">Per cluster, the spec facts whose change moves forging at once.</param>
/// <param name="FailbackCandidate">The recovered cluster waiting out its failback delay, if any.</param>
/// <param name="FailbackSince">Monotonic time the candidate started waiting.</param>
/// <param name="FailbackDelay">The delay the candidate must wait (doubled for flapping clusters).</param>
/// <param name="Recoveries">Per cluster, monotonic times a failback wait started (pruned to the flap window).</param>
/// <param name="Conditions">Per cluster, the last conditions (for lastTransitionTime).</param>
public sealed record DeciderState(
    NodeId? Holder,
    ImmutableDictionary<string, SpecKey> SpecKeys,
    string? FailbackCandidate,
    TimeSpan FailbackSince,
    TimeSpan FailbackDelay,
    ImmutableDictionary<string, ImmutableArray<TimeSpan>> Recoveries,
    ImmutableDictionary<string, ImmutableArray<ClusterCondition>> Conditions)
{
    /// <summary>Clusters seen eligible since this state began. A cluster's first eligibility is an arrival (a pool
    /// starting up), not a recovery: it moves forging at once (a planned handover) instead of waiting the failback
    /// delay — but only once this state has history, so a restarted arbiter never cuts a delay short.</summary>
    public ImmutableHashSet<string> EverEligible { get; init; } = ImmutableHashSet<string>.Empty.WithComparer(StringComparer.Ordinal);

    public static readonly DeciderState Initial = new(
        null,
        ImmutableDictionary<string, SpecKey>.Empty,
        null,
        TimeSpan.Zero,
        TimeSpan.Zero,
        ImmutableDictionary<string, ImmutableArray<TimeSpan>>.Empty,
        ImmutableDictionary<string, ImmutableArray<ClusterCondition>>.Empty);

    public static DeciderState WithHolder(NodeId? holder) => Initial with { Holder = holder };
}

/// <summary>The spec facts of one cluster whose change is an operator decision and moves forging at once.</summary>
public readonly record struct SpecKey(bool Valid, ForgeState EffectiveState, int EffectivePriority, bool HealthGating, bool OverrideActive);
