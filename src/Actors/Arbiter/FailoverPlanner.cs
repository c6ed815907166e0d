using Forge.Cluster;
using Forge.Grants;
using Forge.Protocol;

namespace Forge.Arbiter;

/// <summary>
/// Pure parts of the failover watch: this coordinator's fallback rank, and whom to propose.
/// </summary>
public static class FailoverPlanner
{
    /// <summary>
    /// This coordinator's rank among the fallback proposers (the arbiter is rank 0): 1 + its place among the Up
    /// coordinators it sees reachable, the arbiter's host first, then by address; null when it is not one of them. Rank k
    /// proposes only once a term has been quiet k × failover-proposal-timeout longer than the arbiter would wait, so a
    /// live arbiter acts first and fallbacks rarely duel (a duel costs time, never safety). No unreachable mark is
    /// needed: a dead host (not yet marked) keeps rank 1, and rank 2 acts one timeout later.
    /// </summary>
    public static int? Rank(ClusterMembersSnapshot s)
    {
        var ordered = s.Members
            .Where(m => m.Status is "Up" or "Leaving" && m.Roles.Contains(ClusterRoles.Coordinator) && (m.Self || m.Reachability == "reachable"))
            .OrderBy(m => m.Oldest ? 0 : 1).ThenBy(m => m.Address, StringComparer.Ordinal)
            .ToList();
        var index = ordered.FindIndex(m => m.Self);
        return index < 0 ? null : index + 1;
    }

    /// <summary>
    /// How long a fallback proposer of <paramref name="rank"/> still waits before it proposes a successor for a term that a
    /// majority reports quiet for <see cref="QuietTerm.QuietFor"/>: until the term has been quiet
    /// <c>quiet bound + rank × failover-proposal-timeout</c>; zero when that has passed. The watch learns of a term at the
    /// arbiter's bound (rank 0) and proposes when this wait ends, not at its next poll (up to a decide interval later).
    /// </summary>
    public static TimeSpan WaitBeforeProposing(QuietTerm term, int rank, GrantSettings settings)
    {
        var due = settings.QuietAfter(term.Ttl) + settings.FailoverProposalTimeout * Math.Max(0, rank);
        return term.QuietFor >= due ? TimeSpan.Zero : due - term.QuietFor;
    }

    /// <summary>The best other node from the last published pool state: an eligible cluster other than the holder's,
    /// healthy first, lowest effective priority, then its alive, synced, connected node with the highest tip.</summary>
    public static (NodeId Node, Guid Incarnation)? Candidate(PoolState state)
    {
        if (state.Holder is not { } holder) return null;
        foreach (var c in state.Clusters.Where(c => c.Eligible && c.Name != holder.Cluster)
                     .OrderBy(c => c.Healthy ? 0 : 1).ThenBy(c => c.EffectivePriority ?? int.MaxValue).ThenBy(c => c.Name, StringComparer.Ordinal))
        {
            var node = state.Nodes.Where(n => n.Node.Cluster == c.Name && n.Alive && n.Synced && n.Connected && n.Refused is null)
                .OrderByDescending(n => n.TipSlot).ThenBy(n => n.Node).FirstOrDefault();
            if (node is not null) return (node.Node, node.Incarnation);
        }
        return null;
    }

    /// <summary>Why <see cref="Candidate"/> found nobody, per cluster other than the holder's: not eligible (its
    /// verdict's reason), no node reported, or each node with what it lacks - so a watch that does not propose says why.</summary>
    public static string WhyNoCandidate(PoolState state, NodeId holder)
    {
        var parts = state.Clusters.Where(c => c.Name != holder.Cluster).OrderBy(c => c.Name, StringComparer.Ordinal).Select(c =>
        {
            if (!c.Eligible) return $"{c.Name} not eligible ({c.Reason})";
            var nodes = state.Nodes.Where(n => n.Node.Cluster == c.Name).ToList();
            if (nodes.Count == 0) return $"{c.Name} has no node in the state";
            return c.Name + ": " + string.Join(", ", nodes.Select(n =>
            {
                var lacks = new[] { (n.Alive, "alive"), (n.Synced, "synced"), (n.Connected, "connected"), (n.Refused is null, "not refused") }
                    .Where(x => !x.Item1).Select(x => x.Item2).ToList();
                return lacks.Count == 0 ? $"{n.Node.Pod} ok" : $"{n.Node.Pod} not {string.Join("/", lacks)}";
            }));
        }).ToList();
        return parts.Count == 0 ? "the state lists no other cluster" : string.Join("; ", parts);
    }
}
