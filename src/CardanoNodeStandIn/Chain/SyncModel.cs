using Forge.Protocol;

namespace Forge.StandIn.Chain;

/// <summary>
/// The node's tip over time: it starts <c>startBehindSlots</c> behind the slot at start, validates
/// <c>catchupRate</c> chain slots per second until it reaches the current slot, then follows it.
/// "Synced" is the one shared definition, <see cref="SyncDefinition.IsSynced"/>.
/// </summary>
internal sealed record SyncModel(long StartSlot, long StartBehindSlots, double CatchupRate, int MaxLagSlots)
{
    public long TipAt(long currentSlot, double secondsSinceStart)
    {
        var startTip = Math.Max(0, StartSlot - StartBehindSlots);
        var validated = (long)Math.Floor(CatchupRate * Math.Max(0, secondsSinceStart));
        return Math.Min(currentSlot, startTip + validated);
    }

    public bool IsSynced(long tipSlot, long currentSlot) => SyncDefinition.IsSynced(tipSlot, currentSlot, MaxLagSlots);
}
