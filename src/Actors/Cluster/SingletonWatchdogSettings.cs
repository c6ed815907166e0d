using Akka.Configuration;

namespace Forge.Cluster;

/// <summary>Settings of the singleton watchdog (hocon: <c>forge.cluster.singleton-watchdog</c>, defaults and reasoning in
/// hocon/cluster.conf).</summary>
public sealed record SingletonWatchdogSettings
{
    public const string Section = "forge.cluster.singleton-watchdog";

    /// <summary>Process exit code after a watchdog restart (EX_TEMPFAIL): tells it apart from a downing (3).</summary>
    public const int ExitCode = 75;

    public SingletonWatchdogSettings(bool enabled, TimeSpan checkInterval, TimeSpan missingAfter)
    {
        if (checkInterval <= TimeSpan.Zero)
            throw new ArgumentException($"{Section}.check-interval must be positive, was {checkInterval}");
        if (missingAfter < checkInterval + checkInterval)
            throw new ArgumentException($"{Section}.missing-after must be at least twice check-interval, was {missingAfter}");
        Enabled = enabled;
        CheckInterval = checkInterval;
        MissingAfter = missingAfter;
    }

    public bool Enabled { get; }
    /// <summary>How often the local singleton paths are resolved and the decision is taken.</summary>
    public TimeSpan CheckInterval { get; }
    /// <summary>How long a singleton that must run here may be missing (cluster converged) before the process restarts.</summary>
    public TimeSpan MissingAfter { get; }

    public static SingletonWatchdogSettings FromConfig(Config config)
    {
        var c = config.GetConfig(Section);
        if (c is null || c.IsEmpty) throw new ArgumentException($"missing configuration section {Section}");
        return new SingletonWatchdogSettings(c.GetBoolean("enabled", true),
            c.GetTimeSpan("check-interval", null, allowInfinite: false), c.GetTimeSpan("missing-after", null, allowInfinite: false));
    }
}
