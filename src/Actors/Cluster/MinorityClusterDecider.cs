using System.Collections.Immutable;
using Akka.Cluster;

namespace Forge.Cluster;

/// <param name="Restart">Restart this coordinator: its cluster has stayed a converged minority past the bound.</param>
/// <param name="MinoritySince">Carry to the next decision (null: not a converged minority now).</param>
public sealed record MinorityVerdict(bool Restart, string Reason, TimeSpan? MinoritySince);

/// <summary>
/// Decides whether this coordinator sits in a cluster that holds only a minority of the configured regions with nobody
/// unreachable — an island that the region-majority downing never acts on (it acts on unreachable members only). It
/// forms when the first seed node restarts while its region is cut off: it joins itself after seed-node-timeout, and when
/// the partition heals Akka never merges the island with the majority's cluster (two clusters, two arbiters dueling for
/// the quorum, the island's agents invisible to the majority). Restarting makes it join the seed nodes again.
/// Pure. Restart only when, continuously for longer than <c>bound</c>, the cluster was converged (every member Up and
/// reachable) and its Up members held fewer than a strict majority of the configured regions; any other input resets.
/// </summary>
public static class MinorityClusterDecider
{
    public static MinorityVerdict Decide(WatchdogObservation o, ImmutableArray<string> configuredRegions, TimeSpan? since, TimeSpan bound)
    {
        if (o.NotConverged() is { } why)
            return new(false, $"{why}: the region-majority downing decides", null);
        var configured = configuredRegions.ToImmutableHashSet(StringComparer.Ordinal);
        var present = o.Members.Select(m => ClusterRoles.RegionOf(m.Roles)).OfType<string>().Where(configured.Contains)
            .Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToImmutableArray();
        var needed = configured.Count / 2 + 1;
        if (present.Length >= needed)
            return new(false, $"the cluster holds {present.Length} of {configured.Count} configured regions", null);
        var first = since ?? o.Now;
        var held = o.Now - first;
        var what = $"the cluster holds {present.Length} of {configured.Count} configured regions [{string.Join(", ", present)}], " +
                   $"fewer than a majority ({needed}), with no member unreachable";
        return held >= bound
            ? new(true, $"{what}, for {held.TotalSeconds:0.#}s (bound {bound.TotalSeconds:0.#}s): an island the downing never " +
                        "resolves; leaving it to join the seed nodes again", first)
            : new(false, what, first);
    }
}
