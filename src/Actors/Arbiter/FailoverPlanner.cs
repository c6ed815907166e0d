using System.Collections.Immutable;
using Forge.Cluster;
using Forge.Decider;
using Forge.Grants;
using Forge.Nodes;
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

    /// <summary>The best other node from the last published pool state: a cluster other than the holder's that may forge,
    /// healthy first, lowest effective priority, then its alive, synced, connected node with the pool's current
    /// credentials and the highest tip. "May forge": eligible in the state, or not eligible only for want of a node then
    /// (<see cref="ForgeDecider.NoEligibleNodeReason"/>): the state's node views may be newer than its verdicts (answers
    /// overlaid, <see cref="Overlay"/>). Seen (session 8): the arbiter decided while the other regions' entities were being
    /// re-created after restarts, was cut off with the forger's region right after, and its last state called both
    /// other clusters "NoEligibleNode"; no watch proposed while the cut lasted (21.4 s).</summary>
    public static (NodeId Node, Guid Incarnation)? Candidate(PoolState state) =>
        Candidate(state, NodeView.CurrentOpcertHash(state.Nodes));

    /// <param name="current">The pool's current opcert, from all its nodes' views (not only those offered here).</param>
    private static (NodeId Node, Guid Incarnation)? Candidate(PoolState state, string? current)
    {
        if (state.Holder is not { } holder) return null;
        foreach (var c in state.Clusters.Where(c => (c.Eligible || c.Reason == ForgeDecider.NoEligibleNodeReason) && c.Name != holder.Cluster)
                     .OrderBy(c => c.Healthy ? 0 : 1).ThenBy(c => c.EffectivePriority ?? int.MaxValue).ThenBy(c => c.Name, StringComparer.Ordinal))
        {
            var node = state.Nodes.Where(n => n.Node.Cluster == c.Name && n.Alive && n.Synced && n.Connected && n.Refused is null
                                              && n.Credentials.OpcertHash == current)
                .OrderByDescending(n => n.TipSlot).ThenBy(n => n.Node).FirstOrDefault();
            if (node is not null) return (node.Node, node.Incarnation);
        }
        return null;
    }

    /// <summary>
    /// The most a watch that learned of a quiet term only when its proposal was already due waits for the candidates'
    /// entities to answer (<see cref="AskedView"/>): they answer in milliseconds on loopback, tens of them across regions.
    /// </summary>
    public static readonly TimeSpan AnswerWindow = TimeSpan.FromMilliseconds(300);

    /// <summary>A node's entity answered this watch's GetNodeView at <paramref name="HeardAt"/> (monotonic, here) with
    /// <paramref name="View"/>; null when the entity has no registered agent.</summary>
    public readonly record struct AskedView(NodeView? View, TimeSpan HeardAt);

    /// <summary>
    /// One node's answer from its entity (Sharding) and from its agent's link (<see cref="LinkedAgentView"/>, by pub-sub):
    /// a fresh answer beats one that is not (a "not registered" entity that was just moved, or the last view of an entity
    /// on a lost coordinator, against the live link's); of two fresh ones the younger report; else the later heard.
    /// </summary>
    public static AskedView? Merge(AskedView? entity, AskedView? link, SuccessorFreshness freshness, TimeSpan now)
    {
        if (entity is not { } e) return link;
        if (link is not { } l) return entity;
        bool Fresh(AskedView a) => a.View is { } v && freshness.IsFresh(v, a.HeardAt, now);
        TimeSpan Age(AskedView a) => SuccessorFreshness.Age(a.View!, a.HeardAt, now);
        return (Fresh(e), Fresh(l)) switch
        {
            (true, false) => e,
            (false, true) => l,
            (true, true) => Age(l) < Age(e) ? l : e,
            _ => l.HeardAt > e.HeardAt ? l : e,
        };
    }

    /// <summary>
    /// <see cref="Candidate(PoolState)"/> checked against what the candidates' entities answered this watch just now, not
    /// only the arbiter's last published state, which stops changing when the arbiter dies (seen: the watch proposed a
    /// node of the region just killed with it, or a node restarted since and still catching up; each such grant was never
    /// renewed and cost a whole quiet period, 10-19 s failovers). A node's answer from the last view-stale-after replaces
    /// its published view. Nodes whose answer is fresh (<see cref="SuccessorFreshness.IsFresh"/>) are preferred; when no
    /// fresh one can take over (answers late under load, or none asked yet) the state's choice stands, minus the nodes
    /// whose answer says they cannot (not registered, not alive, not synced): late answers cost a duel, never nobody.
    /// </summary>
    public static (NodeId Node, Guid Incarnation, bool Fresh)? Candidate(PoolState state, Func<NodeId, AskedView?> asked,
        SuccessorFreshness freshness, TimeSpan now)
    {
        var overlaid = Overlay(state, asked, freshness, now);
        var known = overlaid.Select(n => n.View).ToImmutableArray();
        var current = NodeView.CurrentOpcertHash(known);
        var fresh = overlaid.Where(n => n.Fresh).Select(n => n.View).ToImmutableArray();
        if (Candidate(state with { Nodes = fresh }, current) is { } f) return (f.Node, f.Incarnation, true);
        return Candidate(state with { Nodes = known }, current) is { } c ? (c.Node, c.Incarnation, false) : null;
    }

    /// <summary>The state's node views with each answer of the last view-stale-after in place of its published view
    /// (a "not registered" answer drops the node); Fresh when the answer is.</summary>
    public static ImmutableArray<(NodeView View, bool Fresh)> Overlay(PoolState state, Func<NodeId, AskedView?> asked,
        SuccessorFreshness freshness, TimeSpan now)
    {
        var nodes = ImmutableArray.CreateBuilder<(NodeView, bool)>(state.Nodes.Length);
        foreach (var published in state.Nodes)
        {
            if (asked(published.Node) is not { } a || now - a.HeardAt >= freshness.ViewStaleAfter) nodes.Add((published, false));
            else if (a.View is { } v && v.PoolId == state.PoolId) nodes.Add((v, freshness.IsFresh(v, a.HeardAt, now)));
        }
        return nodes.ToImmutable();
    }

    /// <summary>Why <see cref="Candidate"/> found nobody, per cluster other than the holder's: not eligible (its
    /// verdict's reason), no node reported, or each node with what it lacks - so a watch that does not propose says why.</summary>
    public static string WhyNoCandidate(PoolState state, NodeId holder)
    {
        var current = NodeView.CurrentOpcertHash(state.Nodes);
        var parts = state.Clusters.Where(c => c.Name != holder.Cluster).OrderBy(c => c.Name, StringComparer.Ordinal).Select(c =>
        {
            if (!c.Eligible && c.Reason != ForgeDecider.NoEligibleNodeReason) return $"{c.Name} not eligible ({c.Reason})";
            var nodes = state.Nodes.Where(n => n.Node.Cluster == c.Name).ToList();
            if (nodes.Count == 0) return $"{c.Name} has no node in the state";
            return c.Name + ": " + string.Join(", ", nodes.Select(n =>
            {
                var lacks = new[] { (n.Alive, "alive"), (n.Synced, "synced"), (n.Connected, "connected"), (n.Refused is null, "not refused"),
                        (n.Credentials.OpcertHash == current, "current credentials") }
                    .Where(x => !x.Item1).Select(x => x.Item2).ToList();
                return lacks.Count == 0 ? $"{n.Node.Pod} ok" : $"{n.Node.Pod} not {string.Join("/", lacks)}";
            }));
        }).ToList();
        return parts.Count == 0 ? "the state lists no other cluster" : string.Join("; ", parts);
    }
}
