namespace Forge.NodeAgent.Core;

/// <summary>
/// Issue 3's "forging permission is always fresh": a node may forge until the send time of its own request
/// (CLOCK_BOOTTIME, taken before sending) + the TTL the quorum confirmed − margin − the fence's disable bound. That
/// instant is exactly the deadline the fence gets, so the fence has its disable bound to stop the node before the grant
/// ends. Kept as one function so it can be swapped for the grant engineer's <c>GrantPermission</c> when it lands.
/// </summary>
internal static class PermissionRule
{
    public static long Until(long requestSentAtNs, TimeSpan ttl, TimeSpan margin, TimeSpan fenceDisableBound) =>
        requestSentAtNs + Ns(ttl) - Ns(margin) - Ns(fenceDisableBound);

    public static long Ns(TimeSpan t) => t.Ticks * 100;
}
