using System.Collections.Immutable;
using System.Security.Cryptography;
using System.Text;

namespace Forge.Cluster;

/// <summary>
/// Role names of coordinator cluster members. Every coordinator has <see cref="Coordinator"/>, one region role
/// (<c>region:us-east-1</c>) and a region-list role (<c>regions:&lt;hash&gt;</c>) that fingerprints its configured
/// region list, so a member with another list is recognised (and refused) the moment it joins. A witness (a light
/// coordinator with no cardano-node, the third region of a two-region pool) also has <see cref="Witness"/>.
/// </summary>
public static class ClusterRoles
{
    public const string Coordinator = "coordinator";
    public const string Witness = "witness";
    public const string RegionPrefix = "region:";
    public const string RegionListPrefix = "regions:";
    /// <summary>The CardanoForgeCluster a coordinator serves (<c>cluster:us-east-1-prod</c>, from
    /// forge.coordinator.cluster-name; absent when not configured): where its cluster's node entities live.</summary>
    public const string ClusterPrefix = "cluster:";

    public static string ClusterRole(string cluster) => ClusterPrefix + cluster;

    public static string? ClusterOf(IEnumerable<string> roles) =>
        roles.FirstOrDefault(r => r.StartsWith(ClusterPrefix, StringComparison.Ordinal))?[ClusterPrefix.Length..];

    public static string RegionRole(string region) => RegionPrefix + region;

    public static string? RegionOf(IEnumerable<string> roles) =>
        roles.FirstOrDefault(r => r.StartsWith(RegionPrefix, StringComparison.Ordinal))?[RegionPrefix.Length..];

    public static string? RegionListOf(IEnumerable<string> roles) =>
        roles.FirstOrDefault(r => r.StartsWith(RegionListPrefix, StringComparison.Ordinal))?[RegionListPrefix.Length..];

    /// <summary>Order-insensitive fingerprint of a configured region list (first 12 hex digits of SHA-256).</summary>
    public static string RegionListFingerprint(IEnumerable<string> regions)
    {
        var canonical = string.Join(",", regions.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal));
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(canonical)))[..12];
    }

    public static ImmutableArray<string> RolesOf(ForgeClusterSettings s)
    {
        var roles = ImmutableArray.CreateBuilder<string>();
        roles.Add(Coordinator);
        roles.Add(RegionRole(s.Region));
        roles.Add(RegionListPrefix + RegionListFingerprint(s.Regions));
        if (s.Witness) roles.Add(Witness);
        return roles.ToImmutable();
    }
}
