namespace Forge.Grants;

/// <summary>
/// The timing rule shared by replicas (which wait) and agents (which forge). Dependency-free on purpose: the
/// NodeAgent uses it through <see cref="GrantPermission"/> with the same numbers the coordinators use.
/// <para>
/// Safety needs, for every term TTL: an agent whose clock runs slow by ρ stops (in real time) before a replica
/// whose clock runs fast by ρ ends its wait. Agent: send + (TTL − margin)/(1 − ρ); replica: accept + (TTL + margin)/(1 + ρ).
/// Since accept ≥ send, (TTL − m)(1 + ρ) ≤ (TTL + m)(1 − ρ) suffices, i.e. <c>m ≥ ρ × TTL</c>: the margin is
/// counted twice (the agent subtracts it, the replica adds it), which absorbs the rate error of both clocks.
/// </para>
/// </summary>
public sealed record GrantTiming
{
    public GrantTiming(TimeSpan minimumMargin, int driftBoundPpm)
    {
        if (minimumMargin < TimeSpan.Zero) throw new ArgumentException("forge.grants.margin must not be negative");
        if (driftBoundPpm is < 0 or >= 500_000)
            throw new ArgumentException("forge.grants.drift-bound-ppm must be in [0, 500000)");
        MinimumMargin = minimumMargin;
        DriftBoundPpm = driftBoundPpm;
    }

    /// <summary>Margin used even for short TTLs (covers scheduling jitter besides rate drift).</summary>
    public TimeSpan MinimumMargin { get; }

    /// <summary>Bound on |clock rate − real rate| of every CLOCK_BOOTTIME / monotonic clock involved, in ppm.</summary>
    public int DriftBoundPpm { get; }

    /// <summary>The margin for a term of this TTL: max(minimum margin, ρ × TTL), rounded up to a tick.</summary>
    public TimeSpan MarginFor(TimeSpan ttl)
    {
        var drift = TimeSpan.FromTicks((ttl.Ticks * DriftBoundPpm + 999_999) / 1_000_000);
        return drift > MinimumMargin ? drift : MinimumMargin;
    }

    /// <summary>Clock-rate difference the activation hint allows for (<see cref="ActivationHint"/>), at most the drift bound.</summary>
    public const int ActivationHintPpm = 10_000;

    /// <summary>
    /// The activation hint a new term's holder gets: the longest wait its accepting replicas reported, stretched by 1 %
    /// (at most the drift bound) so that its first request does not reach a replica whose clock runs a little fast
    /// before that replica's activation point. Liveness only: the replicas refuse every renewal before their own
    /// activation point whatever the hint says, and an agent whose first request was refused asks again request-retry
    /// (500 ms) later. Stretching by the whole drift bound (10 %, sized for safety under chrony's worst slew) cost
    /// ~0.3 s on every unplanned failover (a ~3 s wait), although NTP-disciplined clocks differ by far less than 1 %.
    /// </summary>
    public TimeSpan ActivationHint(TimeSpan longestWait) =>
        longestWait + TimeSpan.FromTicks(longestWait.Ticks * Math.Min(DriftBoundPpm, ActivationHintPpm) / 1_000_000);

    /// <summary>How long a replica keeps a term's renewal alive after accepting it: TTL + margin (replica clock).</summary>
    public TimeSpan ReplicaHoldFor(TimeSpan ttl) => ttl + MarginFor(ttl);

    /// <summary>How long an agent may forge after sending a request: TTL − margin − fence disable bound (agent clock).
    /// Negative means the term is too short to forge at all.</summary>
    public TimeSpan AgentForgeFor(TimeSpan ttl, TimeSpan fenceDisableBound) => ttl - MarginFor(ttl) - fenceDisableBound;
}
