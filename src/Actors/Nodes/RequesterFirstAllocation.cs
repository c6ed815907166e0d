using System.Collections.Immutable;
using Akka.Actor;
using Akka.Cluster.Sharding;

namespace Forge.Nodes;

/// <summary>
/// Node shards live where they were first asked for, and stay there. The first message for a cluster's shard is
/// normally its agent's registration, sent by the agent gateway of a coordinator in that cluster's own region, so a
/// node's entity sits in its own region: a region's loss takes only its own nodes' entities with it, and a surviving
/// node's registration never waits for Sharding to reallocate a shard from a dead coordinator (downing takes seconds).
/// Never rebalanced: moving an entity only costs a re-registration, and balance across regions is not a goal here
/// (a coordinator holds a few entities per node of its region). A requester that is not a known region (a proxy, or one
/// leaving) gets the region with the fewest shards.
/// </summary>
public sealed class RequesterFirstAllocation : IShardAllocationStrategy
{
    public Task<IActorRef> AllocateShard(IActorRef requester, string shardId,
        IImmutableDictionary<IActorRef, IImmutableList<string>> currentShardAllocations) =>
        Task.FromResult(Choose(requester, currentShardAllocations));

    public Task<IImmutableSet<string>> Rebalance(IImmutableDictionary<IActorRef, IImmutableList<string>> currentShardAllocations,
        IImmutableSet<string> rebalanceInProgress) =>
        Task.FromResult<IImmutableSet<string>>(ImmutableHashSet<string>.Empty);

    /// <summary>The requester when it is a region that can host shards, else the region with the fewest (by path, for a
    /// stable tie-break).</summary>
    public static IActorRef Choose(IActorRef requester, IImmutableDictionary<IActorRef, IImmutableList<string>> current) =>
        current.ContainsKey(requester)
            ? requester
            : current.OrderBy(r => r.Value.Count).ThenBy(r => r.Key.Path.ToString(), StringComparer.Ordinal).Select(r => r.Key)
                .FirstOrDefault() ?? requester;
}
