using System.Collections.Immutable;
using Akka.Actor;
using Akka.Cluster.Sharding;

namespace Forge.Nodes;

/// <summary>
/// Node shards live in their cluster's own region (a shard holds one cluster's nodes: <see cref="NodeMessageExtractor"/>),
/// so a region's loss takes only its own nodes' entities with it, and a surviving node's registration never waits for
/// Sharding to reallocate its shard from a dead coordinator (downing takes seconds; a run waited 15 s). The home of a
/// shard region is the cluster role of its member (<c>cluster:&lt;name&gt;</c>, from forge.coordinator.cluster-name).
/// Without a home member (none configured, or the region is down) a shard goes to the requester - normally the node's
/// own agent gateway - and is moved home by <see cref="Rebalance"/> once a home member is back.
/// </summary>
/// <param name="clusterOf">The cluster name of a shard region's member; null when unknown or not configured.</param>
/// <param name="settled">Whether the cluster is settled (no member unreachable): shards move home only then. A handoff
/// waits for every shard region's acknowledgement, and one started while a region is cut off left the moving shard's
/// entities unreachable until the handoff timed out.</param>
public sealed class HomeRegionAllocation(Func<IActorRef, string?> clusterOf, Func<bool>? settled = null) : IShardAllocationStrategy
{
    /// <summary>Shards moved home per rebalance round: a returning region gets its nodes back over a few rounds.</summary>
    public const int MovesPerRound = 10;

    public Task<IActorRef> AllocateShard(IActorRef requester, string shardId,
        IImmutableDictionary<IActorRef, IImmutableList<string>> currentShardAllocations) =>
        Task.FromResult(Choose(requester, shardId, currentShardAllocations));

    public Task<IImmutableSet<string>> Rebalance(IImmutableDictionary<IActorRef, IImmutableList<string>> currentShardAllocations,
        IImmutableSet<string> rebalanceInProgress) =>
        Task.FromResult<IImmutableSet<string>>(settled is { } s && !s()
            ? ImmutableHashSet<string>.Empty
            : Away(currentShardAllocations, rebalanceInProgress).Take(MovesPerRound).ToImmutableHashSet());

    /// <summary>A home region (the requester if it is one, else the least loaded); else the requester if it can host
    /// shards; else the least loaded region. Ties by path, so every decision is reproducible.</summary>
    public IActorRef Choose(IActorRef requester, string shardId, IImmutableDictionary<IActorRef, IImmutableList<string>> current)
    {
        var cluster = ClusterOfShard(shardId);
        var homes = current.Where(r => clusterOf(r.Key) == cluster).ToList();
        if (homes.Count > 0)
            return homes.Any(r => r.Key.Equals(requester)) ? requester : LeastLoaded(homes);
        return current.ContainsKey(requester) || current.Count == 0 ? requester : LeastLoaded(current);
    }

    /// <summary>Shards away from home while a home region of theirs is up (and not already moving).</summary>
    public IEnumerable<string> Away(IImmutableDictionary<IActorRef, IImmutableList<string>> current, IImmutableSet<string> inProgress)
    {
        var homeClusters = current.Keys.Select(clusterOf).OfType<string>().ToHashSet(StringComparer.Ordinal);
        return current.SelectMany(r => r.Value.Select(shard => (Holder: clusterOf(r.Key), Shard: shard)))
            .Where(s => !inProgress.Contains(s.Shard) && homeClusters.Contains(ClusterOfShard(s.Shard)) && s.Holder != ClusterOfShard(s.Shard))
            .Select(s => s.Shard)
            .Order(StringComparer.Ordinal);
    }

    public static string ClusterOfShard(string shardId) => shardId.IndexOf('#') is var i and >= 0 ? shardId[..i] : shardId;

    private static IActorRef LeastLoaded(IEnumerable<KeyValuePair<IActorRef, IImmutableList<string>>> regions) =>
        regions.OrderBy(r => r.Value.Count).ThenBy(r => r.Key.Path.ToString(), StringComparer.Ordinal).First().Key;
}
