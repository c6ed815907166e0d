using Akka.Configuration;

namespace Forge.Kubernetes;

/// <summary>Settings of the CRD projection (hocon: <c>forge.projection</c>, defaults in hocon/projection.conf).</summary>
public sealed record ProjectionSettings
{
    public ProjectionSettings(string @namespace, string defaultPool, string serviceAccount, TimeSpan requestTimeout,
        TimeSpan resyncInterval, TimeSpan unknownAfter, TimeSpan probeTimeRefresh, TimeSpan backoffMin, TimeSpan backoffMax)
    {
        if (string.IsNullOrWhiteSpace(@namespace)) throw new ArgumentException("forge.projection.namespace must be set");
        if (requestTimeout <= TimeSpan.Zero) throw new ArgumentException("forge.projection.request-timeout must be positive");
        if (resyncInterval <= TimeSpan.Zero) throw new ArgumentException("forge.projection.resync-interval must be positive");
        if (unknownAfter <= resyncInterval)
            throw new ArgumentException("forge.projection.unknown-after must be longer than forge.projection.resync-interval");
        if (backoffMin <= TimeSpan.Zero || backoffMax < backoffMin)
            throw new ArgumentException("forge.projection.backoff-min must be positive and at most forge.projection.backoff-max");
        Namespace = @namespace;
        DefaultPool = defaultPool;
        ServiceAccount = serviceAccount;
        RequestTimeout = requestTimeout;
        ResyncInterval = resyncInterval;
        UnknownAfter = unknownAfter;
        ProbeTimeRefresh = probeTimeRefresh;
        BackoffMin = backoffMin;
        BackoffMax = backoffMax;
    }

    public string Namespace { get; }
    /// <summary>Pool of a resource without spec.pool.id.</summary>
    public string DefaultPool { get; }
    /// <summary>Named in RBAC error messages.</summary>
    public string ServiceAccount { get; }
    public TimeSpan RequestTimeout { get; }
    public TimeSpan ResyncInterval { get; }
    public TimeSpan UnknownAfter { get; }
    public TimeSpan ProbeTimeRefresh { get; }
    public TimeSpan BackoffMin { get; }
    public TimeSpan BackoffMax { get; }

    public static ProjectionSettings FromConfig(Config config)
    {
        var c = config.GetConfig("forge.projection") ?? throw new ArgumentException("missing configuration section forge.projection");
        return new ProjectionSettings(
            c.GetString("namespace"),
            c.GetString("default-pool"),
            c.GetString("service-account"),
            c.GetTimeSpan("request-timeout", null, false),
            c.GetTimeSpan("resync-interval", null, false),
            c.GetTimeSpan("unknown-after", null, false),
            c.GetTimeSpan("probe-time-refresh", null, false),
            c.GetTimeSpan("backoff-min", null, false),
            c.GetTimeSpan("backoff-max", null, false));
    }
}
