using System.Collections.Immutable;

namespace Forge.Cluster;

/// <summary>Published on the local EventStream each time the downing actor acts (metrics, logs, tests).</summary>
public sealed record SplitBrainDecisionMade(
    RegionDecisionKind Kind,
    ImmutableArray<string> Downed,
    string Reason,
    ImmutableArray<string> ReachableRegions,
    ImmutableArray<string> UnreachableRegions,
    bool BecauseUnstable,
    DateTimeOffset At);
