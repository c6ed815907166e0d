using Forge.Specs;

namespace Forge.Kubernetes;

/// <summary>
/// What one region's projection saw of a cluster's deletion, to tell a resource created again from an old copy when
/// <c>creationTimestamp</c> (whole seconds, another clock) cannot: a copy created before the tombstone is old, unless
/// this region saw itself hold no copy while that tombstone was current (or while its own removal, which became that
/// tombstone, was on its way): every copy seen since was created after the deletion. Forgotten on restart, which
/// falls back to the timestamps (an old copy is never kept).
/// </summary>
internal sealed class TombstoneWitness
{
    private readonly Dictionary<string, DateTimeOffset> _emptyUnder = new(StringComparer.Ordinal);
    private readonly HashSet<string> _ownRemovalPending = new(StringComparer.Ordinal);

    /// <summary>This region's copy is gone (a watch or list saw it deleted, by anyone).</summary>
    public void CopyGone(string cluster, SpecEntry? entry)
    {
        if (entry is { Deleted: true }) _emptyUnder[cluster] = entry.UpdatedAt;
        else _ownRemovalPending.Add(cluster); // deleted here: this projection asks the store for the tombstone
    }

    /// <summary>The store's view shows the tombstone while this region holds no copy.</summary>
    public void NoCopyUnder(SpecEntry tombstone) => _emptyUnder[tombstone.ClusterName] = tombstone.UpdatedAt;

    /// <summary>A tombstone arrived; if it is this region's own pending removal, this region was empty under it.</summary>
    public void TombstoneSeen(SpecEntry tombstone, string ownSource)
    {
        if (tombstone.Source == ownSource && _ownRemovalPending.Remove(tombstone.ClusterName))
            _emptyUnder[tombstone.ClusterName] = tombstone.UpdatedAt;
    }

    /// <summary>Whether a copy present now was created after the deletion <paramref name="tombstone"/> records.</summary>
    public bool CreatedAfter(SpecEntry tombstone) =>
        _emptyUnder.TryGetValue(tombstone.ClusterName, out var at) && at == tombstone.UpdatedAt;
}
