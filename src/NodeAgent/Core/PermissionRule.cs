namespace Forge.NodeAgent.Core;

/// <summary>Time conversions between the agent's CLOCK_BOOTTIME nanoseconds and the TimeSpans of
/// <see cref="Forge.Grants.GrantPermission"/>, which holds the permission rule itself.</summary>
internal static class PermissionRule
{
    public static long Ns(TimeSpan t) => t.Ticks * 100;

    public static TimeSpan At(long ns) => TimeSpan.FromTicks(ns / 100);
}
