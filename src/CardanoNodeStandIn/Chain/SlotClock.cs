namespace Forge.StandIn.Chain;

/// <summary>
/// Slot numbers from a shared epoch, as Cardano derives them from the genesis system start: every stand-in given the
/// same epoch and slot length agrees on the slot at every instant (wall time is the slot clock here, as on mainnet).
/// </summary>
internal sealed record SlotClock(long EpochUnixMs, int SlotMs)
{
    public long SlotAt(long unixMs) => unixMs < EpochUnixMs ? 0 : (unixMs - EpochUnixMs) / SlotMs;

    public long SlotStartUnixMs(long slot) => EpochUnixMs + slot * SlotMs;
}
