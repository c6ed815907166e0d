using System.Collections.Immutable;
using Forge.Protocol;

namespace Forge.Shell.Palettes.Forge;

// What the forge and agent palettes read: plain immutable views of the arbiter's state, so the shell depends on
// no actor protocol. The coordinator maps its arbiter's published state onto these (see IForgeQueries).

/// <summary>The arbiter's state of every pool at one instant.</summary>
public sealed record ForgeSnapshot(DateTimeOffset At, ImmutableArray<PoolView> Pools)
{
    public static readonly ForgeSnapshot Empty = new(DateTimeOffset.MinValue, []);

    public ClusterView? Cluster(string name) => Pools.SelectMany(p => p.Clusters).FirstOrDefault(c => c.Name == name);

    public PoolView? PoolOf(string cluster) => Pools.FirstOrDefault(p => p.Clusters.Any(c => c.Name == cluster));
}

/// <param name="Forger">The node whose forging is <b>verified</b> (agent-reported after SIGHUP), not merely decided.</param>
/// <param name="Target">The node the arbiter decided should forge; differs from <paramref name="Forger"/> during a handover.</param>
/// <param name="Term">The forger's grant term (<see cref="TermId.None"/> when nobody forges).</param>
/// <param name="LastTransitionAt">When forging last moved (or stopped).</param>
/// <param name="LastTransition">Why, e.g. "spec change", "holder ineligible".</param>
public sealed record PoolView(
    string PoolId,
    NodeId? Forger,
    NodeId? Target,
    TermId Term,
    DateTimeOffset? LastTransitionAt,
    string LastTransition,
    ImmutableArray<ClusterView> Clusters,
    ImmutableArray<NodeId> OtherForgers = default)
{
    /// <summary>Nodes besides <see cref="Forger"/> that report verified forging: a breach of "at most one forger"
    /// that the shell must show loudly (never expected).</summary>
    public ImmutableArray<NodeId> AlsoForging => OtherForgers.IsDefault ? [] : OtherForgers;

    /// <summary>Forging has settled: the verified forger is the decided one.</summary>
    public bool Settled => Forger == Target;
}

/// <summary>One CardanoForgeCluster: its spec as the arbiter holds it and the arbiter's verdict (what status says).</summary>
/// <param name="ForgeState">spec.forgeState (Priority-based when absent).</param>
/// <param name="EffectiveState">status.effectiveState.</param>
/// <param name="EffectivePriority">status.effectivePriority.</param>
/// <param name="ActiveLeader">status.activeLeader: the verified forger when it is in this cluster, else null.</param>
/// <param name="Created">metadata.creationTimestamp (or when the arbiter first saw it).</param>
/// <param name="Reason">status.reason, e.g. "Forging", "Standby", "NoEligibleNode".</param>
/// <param name="Message">status.message.</param>
public sealed record ClusterView(
    string Name,
    string Region,
    int? Priority,
    string ForgeState,
    OverrideView? Override,
    string EffectiveState,
    int? EffectivePriority,
    NodeId? ActiveLeader,
    bool Healthy,
    DateTimeOffset Created,
    string Reason,
    string Message)
{
    /// <summary>The override is in force now (enabled and not expired).</summary>
    public bool OverrideActive(DateTimeOffset now) => Override is { Enabled: true } o && (o.ExpiresAt is null || o.ExpiresAt > now);
}

/// <summary>spec.override.</summary>
public sealed record OverrideView(bool Enabled, string? Reason, DateTimeOffset? ExpiresAt, int? ForcePriority, string? ForceState);

/// <summary>One move of forging, as the arbiter recorded it.</summary>
/// <param name="From">The previous forger, or null.</param>
/// <param name="To">The new forger, or null when forging stopped.</param>
public sealed record ForgeTransition(DateTimeOffset At, string PoolId, NodeId? From, NodeId? To, TermId Term, string Reason);

/// <summary>A pool's grant: the arbiter's view (holder, term, phase) and what the quorum's replicas hold.</summary>
/// <param name="Term">The arbiter's current term, or the highest term a replica holds when the arbiter knows none.</param>
/// <param name="Phase">What the arbiter is doing for the pool: "idle", "revoking" (waiting for the holder's verified
/// release) or "proposing".</param>
/// <param name="Ttl">The term's TTL, from the replicas that hold it (null when none does or the quorum is not read).</param>
/// <param name="TimeLeft">How long a majority of configured regions still count the term's last renewal: TTL minus the
/// time since the renewal at the majority-th freshest replica (before the margin). This is when the holder's permission
/// runs out unless it renews. Null when no majority holds it live.</param>
/// <param name="Live">A majority of configured regions accepted a renewal of this term (null when the quorum is not read).</param>
/// <param name="Released">A majority of configured regions recorded the holder's verified release.</param>
/// <param name="Regions">Regions whose replicas hold this term.</param>
/// <param name="ConfiguredRegions">How many regions the quorum counts (0 when the quorum is not read).</param>
/// <param name="Replicas">Each configured region's replica (empty when the quorum is not read).</param>
public sealed record GrantView(
    string PoolId,
    NodeId? Holder,
    TermId Term,
    string Phase,
    TimeSpan? Ttl,
    TimeSpan? TimeLeft,
    bool? Live,
    bool Released,
    ImmutableArray<string> Regions,
    int ConfiguredRegions,
    ImmutableArray<ReplicaGrantView> Replicas)
{
    /// <summary>Whether the replicas were read (a coordinator without the grant quorum wired into its shell host).</summary>
    public bool QuorumRead => ConfiguredRegions > 0;
}

/// <summary>What one region's replica holds for a pool.</summary>
/// <param name="Answered">False: no answer within <paramref name="Waited"/> (region down or cut off), or not asked
/// (<paramref name="Unreachable"/> says why).</param>
/// <param name="Recovering">The replica lost its disk (or is new) and is copying state: it votes for nothing yet.</param>
/// <param name="SinceRenewal">Time since this replica accepted the last renewal (null: never renewed here).</param>
public sealed record ReplicaGrantView(
    string Region,
    bool Answered,
    TimeSpan Waited,
    bool Recovering,
    TermId? Term,
    NodeId? Holder,
    TimeSpan? Ttl,
    bool Live,
    bool Released,
    TimeSpan? SinceRenewal,
    string? Unreachable = null)
{
    /// <summary>TTL minus the time since the last renewal here (zero once it ran out); null when not renewed here.</summary>
    public TimeSpan? Left => Live && Ttl is { } ttl && SinceRenewal is { } since ? (ttl > since ? ttl - since : TimeSpan.Zero) : null;
}

/// <summary>One agent (cardano-node) as its node actor sees it.</summary>
/// <param name="Forging">Verified forging state: "forging", "not forging", "enabling", "disabling", "unknown".</param>
/// <param name="LastSighup">Outcome of the last SIGHUP, e.g. "enabled (verified)", "BlockForgingUpdateError: …".</param>
/// <param name="KesPeriodsLeft">KES periods left on the node's operational certificate.</param>
/// <param name="Refused">Why the coordinator refused the agent's registration, if it did.</param>
public sealed record AgentView(
    NodeId Node,
    string PoolId,
    bool Connected,
    bool Synced,
    long? TipSlot,
    string Forging,
    TermId? Term,
    string? LastSighup,
    DateTimeOffset? LastSighupAt,
    int? KesPeriodsLeft,
    DateTimeOffset? LastSeen,
    string? Refused = null);
