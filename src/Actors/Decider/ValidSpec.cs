using System.Globalization;

namespace Forge.Decider;

/// <summary>A spec that passed validation, with its override's expiry parsed.</summary>
internal sealed record ValidSpec(
    string Region,
    int Priority,
    ForgeState ForgeState,
    bool OverrideEnabled,
    string? OverrideReason,
    DateTimeOffset? OverrideExpiresAt,
    int? ForcePriority,
    ForgeState? ForceState,
    bool HealthGating,
    int FailureThreshold);

internal static class SpecValidation
{
    public const int MinPriority = 1;
    public const int MaxPriority = 999;

    /// <summary>Validates <paramref name="spec"/>; on failure <paramref name="error"/> names the field.</summary>
    public static bool TryValidate(ClusterSpec? spec, out ValidSpec valid, out string error)
    {
        valid = null!;
        error = Check(spec) ?? "";
        if (error.Length > 0) return false;
        var s = spec!;
        _ = ForgeStates.TryParse(s.ForgeState ?? ForgeStates.PriorityBasedText, out var state); // checked above
        var o = s.Override;
        ForgeState? force = null;
        if (o?.ForceState is { } fs && ForgeStates.TryParse(fs, out var parsed)) force = parsed;
        var hc = s.HealthCheck;
        valid = new ValidSpec(
            s.Region!,
            s.Priority!.Value,
            state,
            o?.Enabled ?? false,
            o?.Reason,
            ParseExpiry(o?.ExpiresAt),
            o?.ForcePriority,
            force,
            hc?.Enabled ?? false,
            hc?.FailureThreshold ?? 3);
        return true;
    }

    private static string? Check(ClusterSpec? s)
    {
        if (s is null) return "spec is missing";
        if (string.IsNullOrWhiteSpace(s.Region)) return "spec.region is required";
        if (s.Priority is null) return "spec.priority is required";
        if (s.Priority is < MinPriority or > MaxPriority)
            return $"spec.priority {s.Priority} is outside {MinPriority}-{MaxPriority}";
        if (s.ForgeState is { } st && !ForgeStates.TryParse(st, out _))
            return $"spec.forgeState '{st}' is not one of Priority-based, Enabled, Disabled";
        if (s.Override is { } o)
        {
            if (o.ExpiresAt is { } e && ParseExpiry(e) is null)
                return $"spec.override.expiresAt '{e}' is not an RFC 3339 date-time";
            if (o.ForcePriority is { } fp && fp is < MinPriority or > MaxPriority)
                return $"spec.override.forcePriority {fp} is outside {MinPriority}-{MaxPriority}";
            if (o.ForceState is { } fs && !ForgeStates.TryParse(fs, out _))
                return $"spec.override.forceState '{fs}' is not one of Priority-based, Enabled, Disabled";
        }
        if (s.HealthCheck is { Enabled: true } hc)
        {
            if (hc.FailureThreshold is < 1) return $"spec.healthCheck.failureThreshold {hc.FailureThreshold} must be at least 1";
            if (hc.Interval is { } i && !GoDuration.TryParse(i, out _)) return $"spec.healthCheck.interval '{i}' is not a duration";
            if (hc.Timeout is { } t && !GoDuration.TryParse(t, out _)) return $"spec.healthCheck.timeout '{t}' is not a duration";
        }
        return null;
    }

    private static DateTimeOffset? ParseExpiry(string? text) =>
        text is not null && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture,
            DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var at)
            && text.Contains('T', StringComparison.Ordinal)
            ? at
            : null;
}
