using Forge.Protocol;

namespace Forge.Nodes;

/// <summary>
/// The arbiter's view of one agent and its cardano-node: registration, liveness, sync, verified forging.
/// </summary>
/// <param name="Connected">The agent has a live link to some coordinator.</param>
/// <param name="Alive">Connected and the agent's last report says the node process runs.</param>
/// <param name="Synced">Recomputed by the coordinator (<see cref="SyncDefinition"/>), not taken from the agent.</param>
/// <param name="Refused">Why the registration was refused, or null.</param>
/// <param name="LastSignalAt">When the agent saw the outcome of <paramref name="LastSignal"/>, or null (unknown).</param>
/// <param name="CoordinatorId">The coordinator whose gateway holds the agent's link.</param>
/// <param name="ReportAge">How long before this view was made the entity last heard from the agent (its last status
/// report, else its registration), on the entity's monotonic clock: an age, not a time, so the arbiter's clock and the
/// entity's never meet. The entity sends a view as soon as this reaches <see cref="NodeSettings.SilentAfter"/>, so a
/// view saying less is current within one message's delay (the successor freshness rule, Forge.Arbiter).</param>
public sealed record NodeView(
    string PoolId,
    NodeId Node,
    string Region,
    Guid Incarnation,
    bool Connected,
    bool Alive,
    bool Synced,
    long TipSlot,
    long CurrentSlot,
    VerifiedForging Forging,
    SignalOutcome LastSignal,
    int? KesPeriodsRemaining,
    TermId HeldTerm,
    CredentialFingerprint Credentials,
    string? Refused,
    string CoordinatorId,
    DateTimeOffset UpdatedAt,
    DateTimeOffset? LastSignalAt = null,
    TimeSpan ReportAge = default)
{
    /// <summary>The pool's current opcert among <paramref name="nodes"/> (one pool's): the highest counter registered,
    /// if every node at that counter presents the same opcert; null (nobody current) otherwise.</summary>
    public static string? CurrentOpcertHash(IEnumerable<NodeView> nodes)
    {
        var registered = nodes.Where(v => v.Refused is null).ToList();
        if (registered.Count == 0) return null;
        var max = registered.Max(v => v.Credentials.OpcertCounter);
        var hashes = registered.Where(v => v.Credentials.OpcertCounter == max).Select(v => v.Credentials.OpcertHash).Distinct().ToList();
        return hashes.Count == 1 ? hashes[0] : null;
    }

    /// <summary>The view of a registration and the agent's last report (null: none yet), as its entity or its link
    /// (<see cref="LinkedAgentView"/>) sees it: sync is recomputed here (<see cref="SyncDefinition"/>), never taken
    /// from the agent; <paramref name="reportAge"/> is the time since the agent was last heard.</summary>
    public static NodeView Of(RegisterAgent r, NodeStatusReport? rep, bool connected, string? refused, string coordinatorId,
        TimeSpan reportAge, int syncedMaxLagSlots)
    {
        var alive = connected && rep is { Alive: true };
        var synced = alive && SyncDefinition.IsSynced(rep!.TipSlot, rep.CurrentSlot, syncedMaxLagSlots);
        return new NodeView(
            r.PoolId, r.Node, r.Region, r.Incarnation, connected, alive, synced,
            rep?.TipSlot ?? -1, rep?.CurrentSlot ?? -1,
            rep?.Forging ?? VerifiedForging.Unknown, rep?.LastSignal ?? SignalOutcome.None,
            rep?.KesPeriodsRemaining ?? r.Credentials.KesPeriodsRemaining,
            rep?.HeldTerm ?? TermId.None, r.Credentials, refused, coordinatorId, DateTimeOffset.UtcNow, rep?.LastSignalAt,
            ReportAge: reportAge);
    }
}
