using Akka.Configuration;

namespace Forge.Health;

/// <summary>Defaults for health probes whose spec leaves a field out (hocon: <c>forge.health</c>).</summary>
public sealed record HealthSettings
{
    public const string Section = "forge.health";

    public HealthSettings(TimeSpan defaultInterval, TimeSpan defaultTimeout, int defaultFailureThreshold, TimeSpan minInterval)
    {
        if (minInterval <= TimeSpan.Zero) throw new ArgumentException($"{Section}.min-interval must be positive");
        if (defaultInterval < minInterval) throw new ArgumentException($"{Section}.default-interval must be at least {Section}.min-interval");
        if (defaultTimeout <= TimeSpan.Zero) throw new ArgumentException($"{Section}.default-timeout must be positive");
        if (defaultFailureThreshold < 1) throw new ArgumentException($"{Section}.default-failure-threshold must be at least 1");
        DefaultInterval = defaultInterval;
        DefaultTimeout = defaultTimeout;
        DefaultFailureThreshold = defaultFailureThreshold;
        MinInterval = minInterval;
    }

    public TimeSpan DefaultInterval { get; }
    public TimeSpan DefaultTimeout { get; }
    public int DefaultFailureThreshold { get; }
    /// <summary>A spec interval below this is raised to it (a typo must not turn into a probe storm).</summary>
    public TimeSpan MinInterval { get; }

    public static readonly HealthSettings Default = new(TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(5), 3, TimeSpan.FromMilliseconds(100));

    public static HealthSettings FromConfig(Config config)
    {
        var c = config.GetConfig(Section);
        if (c is null || c.IsEmpty) throw new ArgumentException($"missing configuration section {Section}");
        return new HealthSettings(c.GetTimeSpan("default-interval", null, false), c.GetTimeSpan("default-timeout", null, false),
            c.GetInt("default-failure-threshold"), c.GetTimeSpan("min-interval", null, false));
    }
}
