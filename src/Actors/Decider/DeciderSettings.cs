using Akka.Configuration;

namespace Forge.Decider;

/// <summary>Settings of the forge decider (hocon: <c>forge.decider</c>, defaults in hocon/forge-decider.conf).</summary>
public sealed record DeciderSettings
{
    public DeciderSettings(TimeSpan failbackDelay, TimeSpan failbackDelayMax, TimeSpan flapWindow, int syncedMaxLagSlots)
    {
        if (failbackDelay < TimeSpan.Zero) throw new ArgumentException("forge.decider.failback-delay must not be negative");
        if (failbackDelayMax < failbackDelay)
            throw new ArgumentException("forge.decider.failback-delay-max must be at least forge.decider.failback-delay");
        if (flapWindow <= TimeSpan.Zero) throw new ArgumentException("forge.decider.flap-window must be positive");
        if (syncedMaxLagSlots < 0) throw new ArgumentException("forge.decider.synced-max-lag-slots must not be negative");
        FailbackDelay = failbackDelay;
        FailbackDelayMax = failbackDelayMax;
        FlapWindow = flapWindow;
        SyncedMaxLagSlots = syncedMaxLagSlots;
    }

    /// <summary>How long a cluster that became best only by recovering must stay best before forging moves back.</summary>
    public TimeSpan FailbackDelay { get; }
    /// <summary>Cap of the doubling failback delay of a flapping cluster.</summary>
    public TimeSpan FailbackDelayMax { get; }
    /// <summary>Recoveries of one cluster within this window double its failback delay.</summary>
    public TimeSpan FlapWindow { get; }
    /// <summary>A node is synced when its tip is within this many slots of the current slot.</summary>
    public int SyncedMaxLagSlots { get; }

    public static readonly DeciderSettings Default =
        new(TimeSpan.FromSeconds(60), TimeSpan.FromMinutes(16), TimeSpan.FromHours(1), Protocol.SyncDefinition.DefaultMaxLagSlots);

    public static DeciderSettings FromConfig(Config config)
    {
        var c = config.GetConfig("forge.decider")
            ?? throw new ArgumentException("missing configuration section forge.decider");
        return new DeciderSettings(
            c.GetTimeSpan("failback-delay", null, allowInfinite: false),
            c.GetTimeSpan("failback-delay-max", null, allowInfinite: false),
            c.GetTimeSpan("flap-window", null, allowInfinite: false),
            c.GetInt("synced-max-lag-slots"));
    }
}
