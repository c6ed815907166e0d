namespace Forge.Fence;

/// <summary>
/// The fence's bounds, all in nanoseconds of CLOCK_BOOTTIME. The agent must pick deadlines as
/// grant end − <see cref="DisableBound"/> − margin, where margin ≥ <see cref="LateTolerance"/> + one poll.
/// </summary>
internal sealed record FenceSettings
{
    private const long Ms = 1_000_000;

    /// <summary>Install + SIGHUP + verified on must fit in this; enabling only starts when now + bound &lt; deadline.</summary>
    public long EnableBound { get; init; } = 2_000 * Ms;
    /// <summary>From the deadline to the node off: remove + SIGHUP + verify, and if that fails in time, SIGKILL.</summary>
    public long DisableBound { get; init; } = 2_000 * Ms;
    /// <summary>Reserved out of <see cref="DisableBound"/> for the SIGKILL and the reap after a failed disable (a
    /// SIGKILL takes effect at once, but seeing the exit on a starved machine took ~200 ms here).</summary>
    public long KillReserve { get; init; } = 400 * Ms;
    /// <summary>Waking this far past the deadline (suspend, stall) kills at once instead of a bounded disable. Large
    /// enough that a loaded machine's scheduling delay does not cost a ledger replay; the agent's margin covers it.</summary>
    public long LateTolerance { get; init; } = 500 * Ms;
    public int PollMs { get; init; } = 5;
    /// <summary>Credential files are removed after this even if the node never said it read them (fail closed).</summary>
    public long StartupCredentialTimeout { get; init; } = 120_000 * Ms;
    /// <summary>A DEADLINE further ahead than this is refused (a unit mistake, or a runaway grant).</summary>
    public long MaxDeadlineHorizon { get; init; } = 600_000 * Ms;
    public long EnableRetryBackoff { get; init; } = 1_000 * Ms;
    public long RestartBackoff { get; init; } = 1_000 * Ms;

    public long DisableVerifyTimeout => DisableBound - KillReserve;

    public void Validate()
    {
        if (DisableBound < KillReserve + 100 * Ms) throw new ArgumentException("--disable-bound-ms must be at least 500");
        if (EnableBound < 100 * Ms) throw new ArgumentException("--enable-bound-ms must be at least 100");
        if (PollMs is < 1 or > 100) throw new ArgumentException("--poll-ms must be within 1..100");
        if (LateTolerance < 2L * PollMs * Ms) throw new ArgumentException("--late-tolerance-ms must be at least two polls");
    }
}
