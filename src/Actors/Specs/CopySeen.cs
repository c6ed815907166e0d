using Forge.Protocol;

namespace Forge.Specs;

/// <summary>
/// Region <paramref name="Region"/>'s projection saw its own copy of <paramref name="ClusterName"/> (resource
/// <paramref name="Uid"/>) while the store's entry for it was the one first seen at <paramref name="EntryFirstSeen"/>.
/// Replicated beside the specs so that a projection starting afresh can tell "deleted here while no projection was
/// watching" (this entry had a copy here, and it is gone) from "not projected here yet" (create it).
/// </summary>
public sealed record CopySeen(string Region, string ClusterName, string Uid, DateTimeOffset EntryFirstSeen) : IForgeWireMessage
{
    public static string KeyOf(string region, string cluster) => region + "/" + cluster;

    /// <summary>Whether this note was made of the store entry <paramref name="entry"/> (not of an earlier one of the same name).</summary>
    public bool Of(SpecEntry entry) => !entry.Deleted && entry.FirstSeen == EntryFirstSeen;
}
