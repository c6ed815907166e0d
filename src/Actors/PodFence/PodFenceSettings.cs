using Akka.Configuration;

namespace Forge.PodFence;

/// <summary>Settings of the pod fence (hocon: <c>forge.pod-fence</c>, defaults in hocon/grants.conf), validated at start.</summary>
public sealed record PodFenceSettings
{
    public const string Section = "forge.pod-fence";

    /// <param name="grantTtl">The grant TTL: the fence must fire (quiet TTL × fraction, seen within one poll) before the
    /// successor may be granted at TTL + margin, so TTL × fraction + poll-interval must stay below the TTL.</param>
    public PodFenceSettings(bool enabled, double quietFraction, TimeSpan pollInterval, TimeSpan gracePeriod, TimeSpan confirmWithin,
        TimeSpan grantTtl)
    {
        if (!(quietFraction > 0 && quietFraction < 1))
            throw new ArgumentException($"{Section}.quiet-fraction must be in (0, 1) (the fence must fire before the successor may be granted at TTL + margin), was {quietFraction}");
        if (pollInterval <= TimeSpan.Zero) throw new ArgumentException($"{Section}.poll-interval must be positive, was {pollInterval}");
        if (grantTtl * quietFraction + pollInterval >= grantTtl)
            throw new ArgumentException($"{Section}: quiet-fraction × TTL + poll-interval ({(grantTtl * quietFraction + pollInterval).TotalSeconds:0.###}s) " +
                                        $"must be below the grant TTL ({grantTtl.TotalSeconds:0.###}s): the fence would fire after the successor may be granted");
        // grace 0 is a force delete: the object vanishes before the kubelet killed anything, so its removal proves nothing
        if (gracePeriod < TimeSpan.FromSeconds(1) || gracePeriod.Ticks % TimeSpan.TicksPerSecond != 0)
            throw new ArgumentException($"{Section}.grace-period must be whole seconds, at least 1s (0 would be a force delete), was {gracePeriod}");
        if (confirmWithin <= gracePeriod)
            throw new ArgumentException($"{Section}.confirm-within ({confirmWithin}) must be longer than {Section}.grace-period ({gracePeriod})");
        (Enabled, QuietFraction, PollInterval, GracePeriod, ConfirmWithin) = (enabled, quietFraction, pollInterval, gracePeriod, confirmWithin);
    }

    public bool Enabled { get; }
    /// <summary>A term quiet (unrenewed at the local replica) for TTL × this gets its holder's pod fenced.</summary>
    public double QuietFraction { get; }
    /// <summary>How often the local replica is asked for quiet terms (one query covers every pool).</summary>
    public TimeSpan PollInterval { get; }
    /// <summary>gracePeriodSeconds of the delete: SIGTERM, then SIGKILL after this.</summary>
    public TimeSpan GracePeriod { get; }
    /// <summary>The pod (that uid) must be gone within this, else the fence is unconfirmed.</summary>
    public TimeSpan ConfirmWithin { get; }

    public static PodFenceSettings FromConfig(Config config, TimeSpan grantTtl)
    {
        var c = config.GetConfig(Section);
        if (c is null || c.IsEmpty) throw new ArgumentException($"missing configuration section {Section}");
        return new PodFenceSettings(
            c.GetBoolean("enabled"),
            c.GetDouble("quiet-fraction"),
            c.GetTimeSpan("poll-interval", null, false),
            c.GetTimeSpan("grace-period", null, false),
            c.GetTimeSpan("confirm-within", null, false),
            grantTtl);
    }
}
