using System.Collections.Immutable;
using Forge.Grants;
using Forge.Protocol;

namespace Forge.PodFence;

/// <summary>One term whose holder's pod was fenced (or is being fenced): never fenced again for the same key.</summary>
public readonly record struct FencedTerm(string PoolId, TermId Term, Guid Incarnation);

/// <summary>An order to delete the pod of a quiet term's holder.</summary>
public sealed record PodFenceOrder(string PoolId, TermId Term, NodeId Holder, Guid Incarnation, TimeSpan QuietFor, TimeSpan Ttl)
{
    public string Pod => Holder.Pod;
}

/// <summary>The decider's answer: pods to fence now and what is remembered as fenced from now on.</summary>
public sealed record PodFenceDecision(ImmutableArray<PodFenceOrder> Orders, ImmutableHashSet<FencedTerm> Fenced);

/// <summary>
/// Which pods to fence, from the local replica's quiet terms. Pure. Only holders of this coordinator's own cluster
/// (the only pods its region's Kubernetes API can kill), only terms not released (a released holder verified its node
/// stopped), each (pool, term, incarnation) at most once: the StatefulSet recreates the pod under the same NodeId while
/// the old term stays quiet, and that new pod (non-forging) must not be killed in a loop. Entries of terms the replica
/// no longer reports quiet are forgotten (renewed again, or replaced by a new term).
/// </summary>
public static class PodFenceDecider
{
    /// <param name="answer">The local replica's answer to a <see cref="ReplicaQuietQuery"/>.</param>
    /// <param name="ownCluster">This coordinator's CardanoForgeCluster name (<see cref="NodeId.Cluster"/> of its pods).</param>
    /// <param name="fenced">What was already fenced (the previous decision's <see cref="PodFenceDecision.Fenced"/>).</param>
    public static PodFenceDecision Decide(ReplicaQuietTerms answer, string ownCluster, ImmutableHashSet<FencedTerm> fenced,
        PodFenceSettings settings)
    {
        // a recovering replica holds no state: its empty answer says nothing about what is quiet, so nothing is forgotten
        if (answer.Recovering) return new([], fenced);
        var reported = answer.Terms.Select(Key).ToImmutableHashSet();
        var remembered = fenced.Intersect(reported);
        var due = answer.Terms
            .Where(t => !t.Released && t.Holder.Cluster == ownCluster && t.QuietFor >= t.Ttl * settings.QuietFraction
                        && !remembered.Contains(Key(t)))
            .ToList();
        var orders = due.DistinctBy(t => t.Holder) // one delete per pod, whatever it holds
            .Select(t => new PodFenceOrder(t.PoolId, t.Term, t.Holder, t.Incarnation, t.QuietFor, t.Ttl))
            .ToImmutableArray();
        return new(orders, remembered.Union(due.Select(Key)));
    }

    private static FencedTerm Key(ReplicaQuietTerm t) => new(t.PoolId, t.Term, t.Incarnation);
}
