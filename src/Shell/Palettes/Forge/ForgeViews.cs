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

/// <summary>A grant as the quorum holds it. Null fields are not exposed by the arbiter (shown as "?").</summary>
/// <param name="Phase">What the arbiter is doing for the pool: "idle", "revoking" (waiting for the holder's verified
/// release) or "proposing".</param>
/// <param name="SinceRenewal">Time since a majority last accepted a renewal (null before the first, or unknown).</param>
/// <param name="Live">A renewal of this term was accepted (the holder forged under it).</param>
/// <param name="Regions">Regions whose replicas accepted the term (empty when unknown).</param>
public sealed record GrantView(
    string PoolId,
    NodeId Holder,
    TermId Term,
    string Phase,
    TimeSpan? Ttl,
    TimeSpan? SinceRenewal,
    bool? Live,
    ImmutableArray<string> Regions);

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
