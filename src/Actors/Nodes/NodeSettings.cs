using System.Collections.Immutable;
using Akka.Configuration;

namespace Forge.Nodes;

/// <summary>Settings of the node entities (hocon: <c>forge.nodes</c>, defaults in hocon/coordinator.conf).</summary>
public sealed record NodeSettings
{
    public const string Section = "forge.nodes";

    public NodeSettings(int numberOfShards, TimeSpan staleAfter, TimeSpan viewRefresh, int syncedMaxLagSlots,
        long tipPublishSlots, ImmutableArray<string> configuredRegions, TimeSpan? silentAfter = null)
    {
        if (numberOfShards < 1) throw new ArgumentException($"{Section}.number-of-shards must be at least 1, was {numberOfShards}");
        if (staleAfter <= TimeSpan.Zero) throw new ArgumentException($"{Section}.stale-after must be positive");
        if (viewRefresh <= TimeSpan.Zero) throw new ArgumentException($"{Section}.view-refresh must be positive");
        if (syncedMaxLagSlots < 0) throw new ArgumentException("forge.decider.synced-max-lag-slots must not be negative");
        if (tipPublishSlots < 1) throw new ArgumentException($"{Section}.tip-publish-slots must be at least 1");
        if (configuredRegions.IsDefaultOrEmpty) throw new ArgumentException("forge.cluster.regions must not be empty");
        var silent = silentAfter ?? DefaultSilentAfter;
        if (silent <= TimeSpan.Zero) throw new ArgumentException($"{Section}.report-silent-after must be positive");
        NumberOfShards = numberOfShards;
        SilentAfter = silent;
        StaleAfter = staleAfter;
        ViewRefresh = viewRefresh;
        SyncedMaxLagSlots = syncedMaxLagSlots;
        TipPublishSlots = tipPublishSlots;
        ConfiguredRegions = configuredRegions;
    }

    public int NumberOfShards { get; }
    /// <summary>A registered incarnation silent this long may be replaced by another incarnation of the same identity;
    /// before that, a second incarnation is refused as a duplicate identity.</summary>
    public TimeSpan StaleAfter { get; }
    /// <summary>The entity re-sends its view to the arbiter this often (the arbiter's staleness heartbeat).</summary>
    public TimeSpan ViewRefresh { get; }
    public int SyncedMaxLagSlots { get; }
    /// <summary>A tip change alone is forwarded to the arbiter only when it moved this many slots.</summary>
    public long TipPublishSlots { get; }
    public ImmutableArray<string> ConfiguredRegions { get; }
    /// <summary>An agent that sent no report this long is told to the arbiter at once (a view with its
    /// <see cref="NodeView.ReportAge"/>), not at the next refresh.</summary>
    public TimeSpan SilentAfter { get; }

    public static readonly TimeSpan DefaultSilentAfter = TimeSpan.FromMilliseconds(1500);

    public static NodeSettings FromConfig(Config config)
    {
        var c = config.GetConfig(Section);
        if (c is null || c.IsEmpty) throw new ArgumentException($"missing configuration section {Section}");
        return new NodeSettings(
            c.GetInt("number-of-shards"),
            c.GetTimeSpan("stale-after", null, false),
            c.GetTimeSpan("view-refresh", null, false),
            config.GetInt("forge.decider.synced-max-lag-slots", Protocol.SyncDefinition.DefaultMaxLagSlots),
            c.GetLong("tip-publish-slots"),
            (config.GetStringList("forge.cluster.regions") ?? []).ToImmutableArray(),
            c.HasPath("report-silent-after") ? c.GetTimeSpan("report-silent-after", null, false) : DefaultSilentAfter);
    }
}
