namespace Forge.NodeAgent.Lease;

/// <summary>What this candidate last observed of the Lease, timed on its own clock (CLOCK_BOOTTIME ns).</summary>
internal sealed record LeaseObservation(string Holder, DateTime? RenewTime, long ObservedAt);

/// <summary>
/// client-go's leader-election rules as pure functions. Expiry is judged from the *locally observed* change of the
/// record (holder or renewTime), never from the timestamps in it, so clock differences between machines do not matter.
/// </summary>
internal static class LeaseRules
{
    /// <summary>Updates the observation: its time moves only when the record changed.</summary>
    public static LeaseObservation Observe(LeaseObservation? previous, LeaseRecord record, long now) =>
        previous is not null && previous.Holder == record.Holder && previous.RenewTime == record.RenewTime
            ? previous
            : new LeaseObservation(record.Holder, record.RenewTime, now);

    /// <summary>May <paramref name="me"/> write itself into the Lease now?</summary>
    public static bool MayTake(LeaseObservation observed, string me, long now, long leaseDurationNs) =>
        observed.Holder.Length == 0 || observed.Holder == me || now >= observed.ObservedAt + leaseDurationNs;

    /// <summary>A leader that could not renew for the renew deadline steps down (before anyone may take over).</summary>
    public static bool MustStepDown(long lastRenewOk, long now, long renewDeadlineNs) => now - lastRenewOk > renewDeadlineNs;
}
