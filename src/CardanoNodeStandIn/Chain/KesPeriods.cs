namespace Forge.StandIn.Chain;

/// <summary>KES arithmetic as cardano-node reports it: periods of <c>slotsPerKesPeriod</c> slots, an opcert valid for
/// <c>maxEvolutions</c> periods from its start period.</summary>
internal sealed record KesPeriods(long SlotsPerKesPeriod, int MaxEvolutions)
{
    public long CurrentPeriod(long slot) => slot / SlotsPerKesPeriod;

    public long ExpiryPeriod(ulong opCertStartPeriod) => (long)opCertStartPeriod + MaxEvolutions;

    public long Remaining(ulong opCertStartPeriod, long slot) =>
        Math.Max(0, ExpiryPeriod(opCertStartPeriod) - CurrentPeriod(slot));
}
