using System.Collections.Immutable;
using Akka.Configuration;
using Forge.Protocol;

namespace Forge.Cluster;

/// <summary>
/// Settings of the coordinator cluster (hocon: <c>forge.cluster</c>, defaults in hocon/cluster.conf). Validated here:
/// a bad value fails at startup with a message naming the setting.
/// </summary>
public sealed record ForgeClusterSettings
{
    public const string Section = "forge.cluster";

    public ForgeClusterSettings(
        ImmutableArray<string> regions,
        string region,
        bool witness,
        TimeSpan stableAfter,
        TimeSpan downAllWhenUnstable,
        TimeSpan downRemovalMargin)
    {
        if (regions.IsDefaultOrEmpty)
            throw new ArgumentException($"{Section}.regions must list the configured regions (at least one)");
        foreach (var r in regions)
            if (!NodeId.IsDnsLabel(r))
                throw new ArgumentException($"{Section}.regions: '{r}' is not a DNS-1123 name");
        if (regions.Distinct(StringComparer.Ordinal).Count() != regions.Length)
            throw new ArgumentException($"{Section}.regions lists a region twice: [{string.Join(", ", regions)}]");
        if (string.IsNullOrWhiteSpace(region))
            throw new ArgumentException($"{Section}.region is required (this coordinator's region, one of {Section}.regions)");
        if (!regions.Contains(region, StringComparer.Ordinal))
            throw new ArgumentException(
                $"{Section}.region '{region}' is not one of {Section}.regions [{string.Join(", ", regions)}]");
        if (stableAfter <= TimeSpan.Zero)
            throw new ArgumentException($"{Section}.split-brain.stable-after must be positive, was {stableAfter}");
        if (downAllWhenUnstable < TimeSpan.Zero)
            throw new ArgumentException($"{Section}.split-brain.down-all-when-unstable must not be negative");
        if (downRemovalMargin < TimeSpan.Zero)
            throw new ArgumentException($"{Section}.split-brain.down-removal-margin must not be negative");
        Regions = regions.Order(StringComparer.Ordinal).ToImmutableArray();
        Region = region;
        Witness = witness;
        StableAfter = stableAfter;
        DownAllWhenUnstable = downAllWhenUnstable;
        DownRemovalMargin = downRemovalMargin;
    }

    /// <summary>The configured regions, sorted. Majorities (downing, grant quorum) count these, never members.</summary>
    public ImmutableArray<string> Regions { get; }
    /// <summary>This coordinator's region.</summary>
    public string Region { get; }
    /// <summary>A witness coordinator: counts for its region in downing decisions, hosts no cardano-node.</summary>
    public bool Witness { get; }
    /// <summary>Membership and reachability must be unchanged this long before the downing decision is taken.</summary>
    public TimeSpan StableAfter { get; }
    /// <summary>If membership keeps changing for stable-after plus this, the side downs itself. Zero disables.</summary>
    public TimeSpan DownAllWhenUnstable { get; }
    /// <summary>How long a downed member's roles (singleton, shards) wait before they are moved elsewhere.</summary>
    public TimeSpan DownRemovalMargin { get; }

    public ImmutableArray<string> Roles => ClusterRoles.RolesOf(this);

    public static ForgeClusterSettings FromConfig(Config config)
    {
        var c = config.GetConfig(Section);
        if (c is null || c.IsEmpty) throw new ArgumentException($"missing configuration section {Section}");
        var sbr = c.GetConfig("split-brain");
        if (sbr is null || sbr.IsEmpty) throw new ArgumentException($"missing configuration section {Section}.split-brain");
        var regions = (c.GetStringList("regions") ?? []).Select(r => r.Trim()).Where(r => r.Length > 0).ToImmutableArray();
        return new ForgeClusterSettings(
            regions,
            c.GetString("region", "")?.Trim() ?? "",
            c.GetBoolean("witness", false),
            Duration(sbr, "stable-after"),
            Duration(sbr, "down-all-when-unstable"),
            Duration(sbr, "down-removal-margin"));
    }

    internal static TimeSpan Duration(Config c, string path)
    {
        try
        {
            return c.GetTimeSpan(path, null, allowInfinite: false);
        }
        catch (Exception e) when (e is not ArgumentException)
        {
            throw new ArgumentException($"{Section}.split-brain.{path}: {e.Message}", e);
        }
    }
}
