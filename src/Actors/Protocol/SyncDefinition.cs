namespace Forge.Protocol;

/// <summary>
/// The one definition of "synced" used by the decider, the agent and the cardano-node stand-in: the node's tip is
/// within <c>maxLagSlots</c> of the current slot. A tip ahead of the current slot (clock skew) counts as synced.
/// </summary>
public static class SyncDefinition
{
    /// <summary>Default allowed lag, in slots (hocon: forge.decider.synced-max-lag-slots).</summary>
    public const int DefaultMaxLagSlots = 10;

    public static bool IsSynced(long tipSlot, long currentSlot, int maxLagSlots)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(maxLagSlots);
        return tipSlot >= 0 && currentSlot - tipSlot <= maxLagSlots;
    }
}
