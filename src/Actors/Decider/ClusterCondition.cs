namespace Forge.Decider;

/// <summary>A Kubernetes-style condition. <see cref="LastTransitionTime"/> changes only when
/// <see cref="Status"/> changes.</summary>
public sealed record ClusterCondition(string Type, string Status, string Reason, string Message, DateTimeOffset LastTransitionTime);

public static class ConditionTypes
{
    /// <summary>True on the cluster whose node forges.</summary>
    public const string Forging = "Forging";
    /// <summary>True when the cluster may forge: not Disabled, valid spec, an alive, synced node with current credentials.</summary>
    public const string Eligible = "Eligible";
    /// <summary>False when health gating is on and consecutive failures reached the threshold.</summary>
    public const string Healthy = "Healthy";
    public const string OverrideActive = "OverrideActive";
    /// <summary>True when the spec failed validation; the message names the field.</summary>
    public const string SpecInvalid = "SpecInvalid";
    /// <summary>True on an Enabled cluster that lost to another Enabled cluster; the message names the winner.</summary>
    public const string Conflict = "Conflict";
    /// <summary>True while a recovered cluster waits out the failback delay.</summary>
    public const string FailbackPending = "FailbackPending";

    public static readonly string[] All = [Forging, Eligible, Healthy, OverrideActive, SpecInvalid, Conflict, FailbackPending];
}
