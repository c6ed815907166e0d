using Akka.Configuration;

namespace Forge.Cluster;

/// <summary>Settings of the liveness watchdog (hocon: <c>forge.cluster.liveness-watchdog</c>, defaults and reasoning in
/// hocon/cluster.conf).</summary>
public sealed record LivenessWatchdogSettings
{
    public const string Section = "forge.cluster.liveness-watchdog";

    /// <summary>Exit code after a restart for missing singletons (EX_TEMPFAIL): tells it apart from a downing (3).</summary>
    public const int SingletonsMissingExitCode = 75;
    /// <summary>Exit code after a restart out of a minority island.</summary>
    public const int MinorityClusterExitCode = 76;

    public LivenessWatchdogSettings(bool enabled, TimeSpan checkInterval, TimeSpan singletonMissingAfter, TimeSpan minorityAfter)
    {
        if (checkInterval <= TimeSpan.Zero)
            throw new ArgumentException($"{Section}.check-interval must be positive, was {checkInterval}");
        if (singletonMissingAfter < checkInterval + checkInterval)
            throw new ArgumentException($"{Section}.singleton-missing-after must be at least twice check-interval, was {singletonMissingAfter}");
        if (minorityAfter < checkInterval + checkInterval)
            throw new ArgumentException($"{Section}.minority-after must be at least twice check-interval, was {minorityAfter}");
        Enabled = enabled;
        CheckInterval = checkInterval;
        SingletonMissingAfter = singletonMissingAfter;
        MinorityAfter = minorityAfter;
    }

    public bool Enabled { get; }
    /// <summary>How often the local singleton paths are resolved and the decisions are taken.</summary>
    public TimeSpan CheckInterval { get; }
    /// <summary>How long a singleton that must run here may be missing (cluster converged) before the process restarts.</summary>
    public TimeSpan SingletonMissingAfter { get; }
    /// <summary>How long a converged cluster may hold only a minority of the configured regions before the process restarts.</summary>
    public TimeSpan MinorityAfter { get; }

    public static LivenessWatchdogSettings FromConfig(Config config)
    {
        var c = config.GetConfig(Section);
        if (c is null || c.IsEmpty) throw new ArgumentException($"missing configuration section {Section}");
        return new LivenessWatchdogSettings(c.GetBoolean("enabled", true),
            c.GetTimeSpan("check-interval", null, allowInfinite: false),
            c.GetTimeSpan("singleton-missing-after", null, allowInfinite: false),
            c.GetTimeSpan("minority-after", null, allowInfinite: false));
    }
}
