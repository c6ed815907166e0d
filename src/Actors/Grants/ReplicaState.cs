using System.Collections.Immutable;
using Forge.Protocol;

namespace Forge.Grants;

/// <summary>One pool's term at a replica. Times are instants of the replica's own monotonic clock.</summary>
/// <param name="ActiveFrom">Renewals of <paramref name="Term"/> are refused before this instant: the earliest moment
/// every older term this replica knows of has stopped (their holders' last renewal here + TTL + margin).</param>
/// <param name="LastRenewalAt">Last accepted renewal of <paramref name="Term"/> (null: never renewed here).</param>
/// <param name="Standalone">A standalone region's term (single-cluster mode): it holds every other proposal off
/// (<see cref="ExclusiveUntil"/>).</param>
/// <param name="RefusedEarlyAt">Last renewal by the holder refused here only because the term was not active yet (null:
/// none): a grant this replica missed and installed late waits out its predecessor here while the holder renews on the
/// majority that granted it. Memory only; a liveness signal (<see cref="QuietFor"/>), never a reason to accept.</param>
public sealed record ReplicaPoolState(
    TermId Term,
    NodeId Holder,
    Guid Incarnation,
    TimeSpan Ttl,
    bool Live,
    bool Released,
    TimeSpan AcceptedAt,
    TimeSpan ActiveFrom,
    TimeSpan? LastRenewalAt,
    bool Standalone = false,
    TimeSpan? RefusedEarlyAt = null)
{
    /// <summary>From when a <em>different</em> term may be renewed here: this term's wait (it inherits the older
    /// terms' quiet point), and, if it was renewed here and not released, its last renewal + TTL + margin.
    /// A released term's own renewals no longer count (its holder verified its node stopped) but what it inherited
    /// still does: a term released before it was ever live gives no shortcut past its predecessor.</summary>
    public TimeSpan QuietPoint(GrantTiming timing) =>
        Live && !Released && LastRenewalAt is { } last
            ? Max(ActiveFrom, last + timing.ReplicaHoldFor(Ttl))
            : ActiveFrom;

    /// <summary>Until when a standalone term refuses every other term's grant here: one hold (TTL + margin) after its
    /// last renewal, or after its activation while it was never renewed; at once when released. Not a safety rule (the
    /// renewal rule is): it keeps the arbiter from superseding a standalone region that forges on the quorum.</summary>
    public TimeSpan ExclusiveUntil(GrantTiming timing) =>
        !Standalone || Released ? TimeSpan.Zero : Max(ActiveFrom, LastRenewalAt ?? AcceptedAt) + timing.ReplicaHoldFor(Ttl);

    /// <param name="timing">When given, the view carries <see cref="ReplicaTermView.Quiet"/>.</param>
    public ReplicaTermView View(TimeSpan now, GrantTiming? timing = null) =>
        new(Term, Holder, Incarnation, Ttl, Live, Released, now - AcceptedAt, now - LastRenewalAt, Standalone,
            timing is null ? null : QuietFor(now, timing));

    /// <summary>How long this term has gone without a renewal here while its holder should have been renewing: since
    /// its last renewal, else since its first request was due. A healthy holder renews every TTL/5, so it is never quiet
    /// for long. The first request is due at activation, stretched by 3ρ of the wait: the holder waits the proposer's hint
    /// (the longest remaining wait, scaled up by at most ρ) on its own clock, which may run slow by ρ against this one fast by ρ.
    /// Zero before. A term installed late (a missed grant) whose holder's renewals were refused here as not active yet
    /// counts from the last such renewal instead: the holder was renewing then, elsewhere, and nothing was accepted here
    /// since the install, so any later instant is a true bound. Seen (session 8, a region cut off right after another
    /// region's coordinator restarted): the restarted replica's late install reported its holder quiet only from an
    /// activation 4.4 s after the cut, and the fallback proposer waited for it (8.1-8.3 s failovers).</summary>
    public TimeSpan QuietFor(TimeSpan now, GrantTiming timing)
    {
        var wait = ActiveFrom - AcceptedAt;
        var due = wait > TimeSpan.Zero ? ActiveFrom + TimeSpan.FromTicks(wait.Ticks * timing.DriftBoundPpm * 3 / 1_000_000) : AcceptedAt;
        var since = now - (LastRenewalAt ?? RefusedEarlyAt ?? due);
        return since > TimeSpan.Zero ? since : TimeSpan.Zero;
    }

    internal static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;
}

/// <summary>A replica's whole state. <paramref name="Recovering"/>: no trustworthy state (lost or new disk); the
/// replica answers nothing but state transfers until it has copied every other replica's state.
/// <paramref name="AmnesiaUntil"/>: after a recovery, no term (even of a pool it never heard of) is renewed here
/// before this instant, since the lost disk may have accepted renewals nobody else has recorded yet.</summary>
public sealed record ReplicaState(bool Recovering, ImmutableDictionary<string, ReplicaPoolState> Pools, TimeSpan AmnesiaUntil = default)
{
    public static readonly ReplicaState Fresh = new(true, ImmutableDictionary<string, ReplicaPoolState>.Empty.WithComparers(StringComparer.Ordinal));

    /// <summary>A replica that has never voted (a brand-new deployment's first start): votes at once, no amnesia wait.</summary>
    public static readonly ReplicaState NeverVoted = Fresh with { Recovering = false };

    public ReplicaPoolState? Pool(string poolId) => Pools.GetValueOrDefault(poolId);

    public ReplicaState With(ReplicaPoolState pool, string poolId) => this with { Pools = Pools.SetItem(poolId, pool) };
}
