using System.Collections.Immutable;
using Forge.Decider;
using Forge.Nodes;
using Forge.Protocol;

namespace Forge.Arbiter;

/// <summary>
/// Whether a pool's record still shows what its last published <see cref="PoolState"/> showed, compared on the record
/// itself: the sweep re-decides every pool each second and almost none has changed, so building a PoolState (its nodes
/// sorted, its history copied) for each only to compare and drop it was most of the sweep's garbage.
/// </summary>
public static class PublishedState
{
    private const string NotDecided = "not decided yet";

    /// <summary>What GetPoolState answers and subscribers get: the record's state now.</summary>
    public static PoolState Of(PoolRecord r)
    {
        var d = r.LastDecision;
        return new PoolState(r.PoolId, d?.Target, r.Grant?.Holder, r.Grant?.Incarnation, r.Grant?.Term ?? TermId.None,
            r.Phase.Name, d?.Transition ?? NotDecided, d?.Clusters ?? [],
            r.Nodes.Values.OrderBy(v => v.Node).ToImmutableArray(), r.History.ToImmutableArray(), DateTimeOffset.UtcNow);
    }

    /// <summary>Target, holder, term, phase, transition, verdicts and what subscribers show of the nodes are as
    /// published (tips and heartbeats alone do not publish).</summary>
    public static bool Unchanged(PoolState last, PoolRecord rec)
    {
        var d = rec.LastDecision;
        return last.Target == d?.Target && last.Holder == rec.Grant?.Holder && last.Term == (rec.Grant?.Term ?? TermId.None)
            && last.Phase == rec.Phase.Name && last.Transition == (d?.Transition ?? NotDecided)
            && VerdictsEqual(last.Clusters, d?.Clusters ?? []) && NodesEqual(last.Nodes, rec.Nodes);
    }

    private static bool VerdictsEqual(ImmutableArray<ClusterVerdict> a, ImmutableArray<ClusterVerdict> b) =>
        a.Length == b.Length && a.Zip(b).All(p => p.First.Name == p.Second.Name && p.First.Reason == p.Second.Reason
            && p.First.Message == p.Second.Message && p.First.Forging == p.Second.Forging && p.First.Healthy == p.Second.Healthy
            && p.First.EffectiveState == p.Second.EffectiveState && p.First.EffectivePriority == p.Second.EffectivePriority);

    /// <summary>The same nodes (the published ones are unique and sorted, so equal counts and a match for each suffice)
    /// with the same verified forging, held term, connection, liveness, sync and last signal: the shell waits for
    /// verified forging, the projection writes activeLeader from it.</summary>
    private static bool NodesEqual(ImmutableArray<NodeView> published, ImmutableDictionary<NodeId, NodeView> now)
    {
        if (published.Length != now.Count) return false;
        foreach (var a in published)
        {
            if (!now.TryGetValue(a.Node, out var b)) return false;
            if (!(a.Incarnation == b.Incarnation && a.Forging == b.Forging && a.HeldTerm == b.HeldTerm && a.Connected == b.Connected
                  && a.Alive == b.Alive && a.Synced == b.Synced && a.Refused == b.Refused && a.LastSignal == b.LastSignal
                  && a.LastSignalAt == b.LastSignalAt))
                return false;
        }
        return true;
    }
}
