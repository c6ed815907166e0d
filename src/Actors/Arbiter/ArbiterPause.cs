namespace Forge.Arbiter;

/// <summary>
/// Whether the arbiter's own process just stood still (SIGSTOP, a VM stall, a long GC pause), and if so, until when it
/// only listens. Pure. The arbiter's tick comes every decide interval; a gap of more than that plus half of
/// view-stale-after means every view it holds went stale while it was not running, not because the nodes did.
/// <para>Why: the arbiter's host was frozen 9 s (fault runner, stop-arbiter-host). On thaw its first decision counted
/// every node not alive, so it chose no one and forgot its holder; the next one, with fresh views, was "no forger" and
/// handed forging from a healthy holder to another region by priority (session 10). Listening for the startup settle
/// lets fresh views and a quorum answer arrive first. A holder that really died in the meantime is replaced by the
/// failover watches of the other coordinators, which do not wait for this arbiter.</para>
/// </summary>
/// <param name="LastTick">When the arbiter last handled its tick.</param>
/// <param name="ListenUntil">No decisions before this moment.</param>
public sealed record ArbiterPause(TimeSpan LastTick, TimeSpan ListenUntil)
{
    public static ArbiterPause Start(TimeSpan now) => new(now, now);

    /// <summary>The longest gap between two ticks that is not a pause.</summary>
    public static TimeSpan Bound(ArbiterSettings s) => s.DecideInterval + s.ViewStaleAfter / 2;

    /// <summary>Before a decision or at a tick: starts a listen window when the time since the last tick exceeds
    /// <see cref="Bound"/> (<paramref name="pausedFor"/>: that time, else null).</summary>
    public ArbiterPause Observe(TimeSpan now, ArbiterSettings s, out TimeSpan? pausedFor)
    {
        var gap = now - LastTick;
        pausedFor = gap > Bound(s) && now >= ListenUntil ? gap : null;
        return pausedFor is null ? this : this with { ListenUntil = now + s.StartupSettle };
    }

    /// <summary>At the arbiter's tick: as <see cref="Observe"/>, then the tick is the new reference.</summary>
    public ArbiterPause Ticked(TimeSpan now, ArbiterSettings s, out TimeSpan? pausedFor) =>
        Observe(now, s, out pausedFor) with { LastTick = now };

    public bool Listening(TimeSpan now) => now < ListenUntil;
}
