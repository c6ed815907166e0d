using System.Collections.Immutable;
using Forge.Decider;

namespace Forge.Specs;

/// <summary>Messages of the <see cref="SpecStore"/> (one per coordinator, local; replication is DistributedData's job).</summary>
public interface ISpecStoreMessage;

/// <summary>Record (create or update) the spec of CardanoForgeCluster <paramref name="ClusterName"/> of pool
/// <paramref name="PoolId"/>. Answered with <see cref="SpecStored"/> once written locally (gossip follows).</summary>
/// <param name="OnlyIfAbsent">Fill only: written with the lowest last-writer-wins timestamp, so it stands only where no
/// other write of that cluster exists, on this replica or on any it merges with later (a projection's first sight of a
/// copy it never rendered: a copy, not an edit).</param>
public sealed record PutClusterSpec(string PoolId, string ClusterName, ClusterSpec Spec, long Generation, string Source,
    bool OnlyIfAbsent = false) : ISpecStoreMessage;

/// <summary>The resource was deleted: leaves a tombstone; the cluster leaves the election.</summary>
public sealed record RemoveClusterSpec(string PoolId, string ClusterName, string Source) : ISpecStoreMessage;

/// <summary>Region <paramref name="Copy"/>.Region holds a copy of the cluster, made of the store's current entry (no answer).</summary>
public sealed record NoteCopy(string PoolId, CopySeen Copy) : ISpecStoreMessage;

/// <summary>Answer to <see cref="PutClusterSpec"/> / <see cref="RemoveClusterSpec"/>.</summary>
public sealed record SpecStored(string PoolId, string ClusterName, bool Ok, string? Error = null) : ISpecStoreMessage;

/// <summary>Read every cluster of a pool (tombstones included) from the local replica.</summary>
public sealed record GetPoolSpecs(string PoolId) : ISpecStoreMessage;

/// <summary>Answer to <see cref="GetPoolSpecs"/>, and what <see cref="SubscribeSpecs"/> subscribers receive on changes.</summary>
/// <param name="Copies">The copies the regions' projections noted, by <see cref="CopySeen.KeyOf"/>.</param>
public sealed record PoolSpecs(string PoolId, ImmutableDictionary<string, SpecEntry> Clusters,
    ImmutableDictionary<string, CopySeen>? Copies = null) : ISpecStoreMessage
{
    public CopySeen? CopyIn(string region, string cluster) =>
        Copies?.GetValueOrDefault(CopySeen.KeyOf(region, cluster));

    public IEnumerable<SpecEntry> Live => Clusters.Values.Where(e => !e.Deleted && e.Spec is not null);
    public bool Known => Live.Any();
}

/// <summary>Subscribe the sender to <see cref="PoolSpecs"/> of every pool (current state first, then changes).</summary>
public sealed record SubscribeSpecs : ISpecStoreMessage
{
    public static readonly SubscribeSpecs Instance = new();
    private SubscribeSpecs() { }
}
