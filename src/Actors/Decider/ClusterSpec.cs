using System.Collections.Immutable;

namespace Forge.Decider;

// The spec of a CardanoForgeCluster as the decider receives it: raw, as written by an operator. Validation is the
// decider's job (bad input is data: an invalid spec makes its cluster ineligible with SpecInvalid, nothing throws).

/// <param name="Priority">1–999, lower wins. Null when absent or not an integer.</param>
/// <param name="ForgeState">"Priority-based" (default when null), "Enabled" or "Disabled".</param>
public sealed record ClusterSpec(
    string? Region,
    int? Priority,
    string? ForgeState = null,
    OverrideSpec? Override = null,
    HealthCheckSpec? HealthCheck = null);

/// <param name="ExpiresAt">RFC 3339 date-time; absent means the override never expires.</param>
public sealed record OverrideSpec(
    bool Enabled,
    string? Reason = null,
    string? ExpiresAt = null,
    int? ForcePriority = null,
    string? ForceState = null);

/// <param name="Interval">Probe interval, e.g. "30s" (Go-style duration).</param>
/// <param name="Timeout">Probe timeout, e.g. "5s".</param>
public sealed record HealthCheckSpec(
    bool Enabled,
    string? Endpoint = null,
    string? Interval = null,
    string? Timeout = null,
    int? FailureThreshold = null,
    ImmutableDictionary<string, string>? Headers = null);

/// <summary>The three forge states of the CRD, with their wire spelling.</summary>
public enum ForgeState
{
    PriorityBased,
    Enabled,
    Disabled,
}

public static class ForgeStates
{
    public const string PriorityBasedText = "Priority-based";
    public const string EnabledText = "Enabled";
    public const string DisabledText = "Disabled";

    public static string ToText(this ForgeState s) => s switch
    {
        ForgeState.Enabled => EnabledText,
        ForgeState.Disabled => DisabledText,
        _ => PriorityBasedText,
    };

    public static bool TryParse(string? text, out ForgeState state)
    {
        (var ok, state) = text switch
        {
            PriorityBasedText => (true, ForgeState.PriorityBased),
            EnabledText => (true, ForgeState.Enabled),
            DisabledText => (true, ForgeState.Disabled),
            _ => (false, ForgeState.PriorityBased),
        };
        return ok;
    }
}
