using System.Collections.Immutable;
using Forge.Grants;
using Forge.Protocol;

namespace Forge.PodFence;

/// <summary>One term whose holder's pod was fenced (or is being fenced): never fenced again for the same key.</summary>
public readonly record struct FencedTerm(string PoolId, TermId Term, Guid Incarnation);

/// <summary>A term as the fence last saw it at the local replica, at <paramref name="SeenAt"/> (the replica's clock:
/// the fence runs in the replica's process and reads the same monotonic clock).</summary>
public sealed record SeenTerm(ReplicaQuietTerm Term, TimeSpan SeenAt)
{
    /// <summary>How long the term has been quiet by <paramref name="now"/>, if nothing renewed it since it was seen.</summary>
    public TimeSpan QuietAt(TimeSpan now) => Term.QuietFor + (now - SeenAt);
}

/// <summary>An order to delete the pod of a quiet term's holder.</summary>
public sealed record PodFenceOrder(string PoolId, TermId Term, NodeId Holder, Guid Incarnation, TimeSpan QuietFor, TimeSpan Ttl)
{
    public string Pod => Holder.Pod;
}

/// <summary>What the fence remembers between polls.</summary>
/// <param name="Fenced">Terms whose holder's pod was fenced, while the replica still reports them or they are followed.</param>
/// <param name="Current">Each pool's current term at the last poll.</param>
/// <param name="Superseded">Terms of this cluster replaced while their holder was already quiet, followed until fenced.</param>
public sealed record PodFenceMemory(
    ImmutableHashSet<FencedTerm> Fenced,
    ImmutableDictionary<string, SeenTerm> Current,
    ImmutableDictionary<FencedTerm, SeenTerm> Superseded)
{
    public static readonly PodFenceMemory Empty = new([], ImmutableDictionary<string, SeenTerm>.Empty, ImmutableDictionary<FencedTerm, SeenTerm>.Empty);
}

/// <summary>The decider's answer: pods to fence now and what to remember.</summary>
public sealed record PodFenceDecision(ImmutableArray<PodFenceOrder> Orders, PodFenceMemory Memory);

/// <summary>
/// Which pods to fence, from the local replica's view of every pool's current term (a <see cref="ReplicaQuietQuery"/>
/// with fraction 0). Pure. Only holders of this coordinator's own cluster (the only pods its region's Kubernetes API can
/// kill), only terms not released (a released holder verified its node stopped), each (pool, term, incarnation) at most
/// once: the StatefulSet recreates the pod under the same NodeId while the old term stays quiet, and that new pod
/// (non-forging) must not be killed in a loop.
/// <para>The arbiter replaces a holder quiet for its failover fraction (0.5 × TTL) on a majority, before the fence's
/// quiet-fraction (0.6): the replica then reports the successor's term, no longer the frozen one. So a term of this
/// cluster replaced while its holder had already been quiet for <see cref="FollowFraction"/> × TTL (more than a healthy
/// holder renewing every TTL/5 ever is; a planned handover's holder renews until it releases) is followed: its quiet time
/// keeps growing from what was last seen, since the replica refuses its renewals from then on, and its pod is fenced at
/// quiet-fraction × TTL like a reported one. Fenced entries of terms neither still quiet nor followed are forgotten.</para>
/// </summary>
public static class PodFenceDecider
{
    /// <summary>A replaced term is followed only if its holder was last seen quiet this long (× TTL): two renewal
    /// intervals minus jitter, so a holder that renewed on time up to a planned handover is not.</summary>
    public const double FollowFraction = 0.3;

    /// <param name="answer">The local replica's answer to a <see cref="ReplicaQuietQuery"/> (fraction 0: every pool).</param>
    /// <param name="ownCluster">This coordinator's CardanoForgeCluster name (<see cref="NodeId.Cluster"/> of its pods).</param>
    /// <param name="memory">The previous decision's <see cref="PodFenceDecision.Memory"/>.</param>
    /// <param name="now">The replica's monotonic clock now.</param>
    public static PodFenceDecision Decide(ReplicaQuietTerms answer, string ownCluster, PodFenceMemory memory, PodFenceSettings settings,
        TimeSpan now)
    {
        // a recovering replica holds no state: its empty answer says nothing about what is quiet, so nothing is forgotten
        if (answer.Recovering) return new([], memory);
        var reported = answer.Terms.ToImmutableDictionary(t => t.PoolId, t => new SeenTerm(t, now), StringComparer.Ordinal);
        bool Ours(ReplicaQuietTerm t) => !t.Released && t.Holder.Cluster == ownCluster;
        var superseded = memory.Superseded.SetItems(memory.Current.Values
            .Where(s => Ours(s.Term) && s.Term.QuietFor >= s.Term.Ttl * Math.Min(FollowFraction, settings.QuietFraction)
                        && !(reported.TryGetValue(s.Term.PoolId, out var r) && Key(r.Term) == Key(s.Term)))
            .Select(s => KeyValuePair.Create(Key(s.Term), s)))
            .RemoveRange(reported.Values.Select(s => Key(s.Term))); // the replica's own view wins over an extrapolation
        var due = reported.Values.Concat(superseded.Values)
            .Where(s => Ours(s.Term) && s.QuietAt(now) >= s.Term.Ttl * settings.QuietFraction && !memory.Fenced.Contains(Key(s.Term)))
            .OrderBy(s => s.Term.PoolId, StringComparer.Ordinal)
            .ToList();
        var orders = due.DistinctBy(s => s.Term.Holder) // one delete per pod, whatever it holds
            .Select(s => new PodFenceOrder(s.Term.PoolId, s.Term.Term, s.Term.Holder, s.Term.Incarnation, s.QuietAt(now), s.Term.Ttl))
            .ToImmutableArray();
        var fenced = memory.Fenced.Union(due.Select(s => Key(s.Term)));
        var following = superseded.RemoveRange(fenced); // a replaced term is followed until its pod is fenced
        // still quiet (never renewed since: the recreated pod must not be killed again) or followed; a renewed term
        // is forgotten, so it is fenced again if it goes quiet again (an unconfirmed fence whose pod thawed)
        var live = reported.Values.Where(s => Ours(s.Term) && s.Term.QuietFor >= s.Term.Ttl * settings.QuietFraction)
            .Select(s => Key(s.Term)).Concat(following.Keys).ToHashSet();
        return new(orders, new(fenced.Intersect(live), reported, following));
    }

    /// <summary>The pods of this cluster that hold a current, unreleased term: the ones a fence may have to delete. The
    /// fence reads each once ahead of time, so its first real fence does not pay for a cold Kubernetes client (a
    /// coordinator's first pod read took 10-12 s on a loaded host, longer than the fence's margin before the successor).</summary>
    public static IEnumerable<string> OwnHolderPods(ReplicaQuietTerms answer, string ownCluster) =>
        answer.Recovering ? [] : answer.Terms.Where(t => !t.Released && t.Holder.Cluster == ownCluster).Select(t => t.Holder.Pod).Distinct();

    private static FencedTerm Key(ReplicaQuietTerm t) => new(t.PoolId, t.Term, t.Incarnation);
}
