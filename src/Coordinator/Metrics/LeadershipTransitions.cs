using Forge.Arbiter;
using Forge.Decider;

namespace Forge.Coordinator.Metrics;

/// <summary>
/// Pure: whether forging moved between two consecutive states the arbiter published for one pool, to which cluster,
/// and why, as one of a fixed set of reasons (a label value; the arbiter's own transition text names nodes and times,
/// so it cannot be one). The reason is read from the verdicts, checked in the order of <see cref="Reasons"/>.
/// </summary>
public static class LeadershipTransitions
{
    /// <summary>The new holder is the first this coordinator saw for the pool (no holder before).</summary>
    public const string First = "first";
    /// <summary>The old holder's cluster is gone from the pool.</summary>
    public const string Removed = "removed";
    /// <summary>The old holder's cluster has an invalid spec.</summary>
    public const string SpecInvalid = "spec-invalid";
    /// <summary>The old holder's cluster is effectively Disabled (forgeState or an override).</summary>
    public const string Disabled = "disabled";
    /// <summary>The old holder's cluster has no alive, synced node with current credentials.</summary>
    public const string NoEligibleNode = "no-eligible-node";
    /// <summary>Forging moved within a cluster: the old node died, drained or fell behind.</summary>
    public const string NodeIneligible = "node-ineligible";
    /// <summary>The old holder's cluster failed its health checks.</summary>
    public const string Unhealthy = "unhealthy";
    /// <summary>The new holder's cluster has an active override (forceState / forcePriority).</summary>
    public const string Override = "override";
    /// <summary>The new holder's cluster waited out its failback delay.</summary>
    public const string Failback = "failback";
    /// <summary>Otherwise: the new cluster outranks the old one (spec change, or a better cluster arrived).</summary>
    public const string Priority = "priority";

    public static readonly IReadOnlyList<string> Reasons =
        [First, Removed, SpecInvalid, Disabled, NoEligibleNode, NodeIneligible, Unhealthy, Override, Failback, Priority];

    /// <summary>The cluster forging moved to and why, or null when the holder did not change (or this is the first
    /// state seen of the pool: a holder learned is not a move).</summary>
    /// <param name="failbackPending">Clusters that waited out a failback delay since the last move (the condition is
    /// gone by the time the new term is granted).</param>
    public static (string Cluster, string Reason)? Between(PoolState? before, PoolState after, IReadOnlySet<string> failbackPending)
    {
        if (before is null || after.Holder is not { } to || before.Holder == to) return null;
        if (before.Holder is not { } from) return (to.Cluster, First);
        var old = after.Clusters.FirstOrDefault(c => c.Name == from.Cluster);
        var winner = after.Clusters.FirstOrDefault(c => c.Name == to.Cluster);
        var reason = old?.Reason switch
        {
            null => Removed,
            "SpecInvalid" => SpecInvalid,
            "Disabled" => Disabled,
            "NoEligibleNode" => NoEligibleNode,
            _ when from.Cluster == to.Cluster => NodeIneligible,
            _ when !old.Healthy => Unhealthy,
            _ when winner?.Condition(ConditionTypes.OverrideActive)?.Status == "True" => Override,
            _ when failbackPending.Contains(to.Cluster) => Failback,
            _ => Priority,
        };
        return (to.Cluster, reason);
    }
}

/// <summary>Remembers, per pool, the last state the local arbiter published and the clusters seen waiting out a
/// failback delay since the last move; turns each new state into at most one transition.</summary>
public sealed class LeadershipTracker
{
    private readonly Dictionary<string, (PoolState Last, HashSet<string> FailbackPending)> _pools = new(StringComparer.Ordinal);

    public (string Cluster, string Reason)? Observe(PoolState state)
    {
        var known = _pools.TryGetValue(state.PoolId, out var p);
        var pending = known ? p.FailbackPending : new HashSet<string>(StringComparer.Ordinal);
        var moved = LeadershipTransitions.Between(known ? p.Last : null, state, pending);
        var waiting = state.Clusters.Where(c => c.Condition(ConditionTypes.FailbackPending)?.Status == "True").Select(c => c.Name).ToList();
        // a move decided or in progress keeps what was pending; a settled pool with nothing pending drops it (cancelled)
        if (moved is not null || (state.Target == state.Holder && waiting.Count == 0)) pending.Clear();
        pending.UnionWith(waiting);
        _pools[state.PoolId] = (state, pending);
        return moved;
    }

    /// <summary>Another coordinator's arbiter is active: what this one saw no longer describes the present.</summary>
    public void Forget() => _pools.Clear();
}
