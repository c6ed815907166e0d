using System.Collections.Immutable;

namespace Forge.Grants;

/// <summary>
/// The replica's rules, pure. The safety argument (README.md) rests on three of them:
/// <list type="number">
/// <item>a replica renews one term at a time, and switches to another term only after the old one's last renewal
/// here + TTL + margin has passed (unless its holder's incarnation released it), carrying that wait along chains of
/// terms never renewed here (<see cref="ReplicaPoolState.QuietPoint"/>);</item>
/// <item>a renewal counts only with a majority of configured regions, so any two majority-accepted renewals meet at
/// one replica, which saw them in order and a full hold apart when their terms differ;</item>
/// <item>state changes that matter (new term, first renewal, release) are on disk before the answer leaves.</item>
/// </list>
/// Grants only for higher terms and renewals never for lower terms keep the term order total and let proposers make
/// progress. Each method returns the next state, the answer, and the pools whose state must be persisted before
/// answering. A batch (<see cref="AcceptGrants"/>, <see cref="Renew"/>) applies the same per-pool rule to each entry in
/// order, exactly as if they had come one by one, and is persisted once before any of its answers leaves.
/// </summary>
public static class ReplicaCore
{
    /// <param name="Changed">Pools whose durable state changed: written (and fsynced) before the answer leaves.</param>
    public readonly record struct Step<T>(ReplicaState State, T Answer, ImmutableArray<string> Changed)
    {
        public bool Persist => !Changed.IsDefaultOrEmpty;
    }

    private static readonly ImmutableArray<string> Nothing = [];

    public static Step<ReplicaGrantAnswer> AcceptGrant(ReplicaState state, ReplicaAcceptGrant m, string region, TimeSpan now, GrantTiming timing)
    {
        ReplicaGrantAnswer Refuse(Forge.Protocol.TermId highest, string reason) =>
            new(m.PoolId, m.Term, region, false, null, TimeSpan.Zero, highest, reason, m.CorrelationId);

        if (state.Recovering) return new(state, Refuse(default, "replica recovering its state"), Nothing);
        var current = state.Pool(m.PoolId);
        if (current is not null && m.Term <= current.Term)
            return new(state, Refuse(current.Term, $"term {m.Term} is not above {current.Term}"), Nothing);

        if (current is not null && m.PreviousRelease is { } release && Matches(current, release))
            current = current with { Released = true };
        if (Held(current, m, now, timing) is { } hold)
            return new(state, Refuse(current!.Term, hold.Why) with { HeldFor = hold.For }, Nothing);
        var next = Install(state, current, m.Term, m.Holder, m.Incarnation, m.Ttl, now, timing) with { Standalone = m.Standalone };
        var answer = new ReplicaGrantAnswer(m.PoolId, m.Term, region, true, current?.View(now),
            Positive(next.ActiveFrom - now), m.Term, "accepted", m.CorrelationId);
        return new(state.With(next, m.PoolId), answer, [m.PoolId]);
    }

    /// <summary>Several pools' grants in one round (e.g. every pool of a lost region failing over at once): each is
    /// <see cref="AcceptGrant"/> in order; answers are index-aligned with the grants.</summary>
    public static Step<ImmutableArray<ReplicaGrantAnswer>> AcceptGrants(
        ReplicaState state, ImmutableArray<ReplicaAcceptGrant> grants, string region, TimeSpan now, GrantTiming timing) =>
        Fold(state, grants, (s, g) => AcceptGrant(s, g, region, now, timing));

    private static Step<ImmutableArray<TAnswer>> Fold<TEntry, TAnswer>(
        ReplicaState state, ImmutableArray<TEntry> entries, Func<ReplicaState, TEntry, Step<TAnswer>> one)
    {
        var answers = ImmutableArray.CreateBuilder<TAnswer>(entries.Length);
        var changed = ImmutableArray.CreateBuilder<string>();
        foreach (var e in entries)
        {
            var step = one(state, e);
            state = step.State;
            if (step.Persist) changed.AddRange(step.Changed);
            answers.Add(step.Answer);
        }
        return new(state, answers.MoveToImmutable(), [.. changed.Distinct(StringComparer.Ordinal)]);
    }

    /// <summary>Standalone regions (single-cluster mode): a standalone term holds every other term's grant off until it
    /// is released or lapsed, and a standalone request is refused while another term may still forge. Its own holder
    /// incarnation asking again is never held off. Liveness and exclusivity only: safety stays with the renewal rule.</summary>
    private static (TimeSpan For, string Why)? Held(ReplicaPoolState? current, ReplicaAcceptGrant m, TimeSpan now, GrantTiming timing)
    {
        if (current is null || current.Released || (current.Holder == m.Holder && current.Incarnation == m.Incarnation)) return null;
        if (current.ExclusiveUntil(timing) is var exclusive && exclusive > now)
            return (exclusive - now, $"standalone region term {current.Term} of {current.Holder} holds the pool " +
                $"(exclusive until released, or {(exclusive - now).TotalMilliseconds:F0} ms without renewal)");
        if (m.Standalone && current.QuietPoint(timing) is var quiet && quiet > now)
            return (quiet - now, $"term {current.Term} of {current.Holder} may still forge for {(quiet - now).TotalMilliseconds:F0} ms");
        return null;
    }

    /// <summary>A round of renewals; verdicts are index-aligned with the entries.</summary>
    public static Step<ImmutableArray<ReplicaRenewalVerdict>> Renew(
        ReplicaState state, ImmutableArray<ReplicaRenewalEntry> entries, TimeSpan now, GrantTiming timing) =>
        Fold(state, entries, (s, e) => RenewOne(s, e, now, timing));

    private static Step<ReplicaRenewalVerdict> RenewOne(ReplicaState state, ReplicaRenewalEntry e, TimeSpan now, GrantTiming timing)
    {
        if (state.Recovering) return new(state, new(false, TimeSpan.Zero, default, "replica recovering its state"), Nothing);
        var current = state.Pool(e.PoolId);
        var persist = false;
        if (current is null || e.Term > current.Term)
        {
            // late grant: this replica missed the grant; install it with the same wait a grant would get
            if (e.LateGrantTtl is not { } ttl)
                return new(state, new(false, TimeSpan.Zero, current?.Term ?? default, $"term {e.Term} unknown here"), Nothing);
            current = Install(state, current, e.Term, e.Holder, e.Incarnation, ttl, now, timing);
            persist = true;
        }
        ReplicaRenewalVerdict Refuse(string reason) => new(false, current.Ttl, current.Term, reason);

        var refusal =
            e.Term < current.Term ? $"superseded by {current.Term}"
            : e.Holder != current.Holder || e.Incarnation != current.Incarnation ? "holder or incarnation does not hold the term"
            : current.Released ? "term released"
            : null;
        var early = refusal is null && now < current.ActiveFrom; // the holder itself, before this replica's activation
        if (early) refusal = $"not active for another {(current.ActiveFrom - now).TotalMilliseconds:F0} ms";
        if (refusal is not null)
        {
            // remembered for QuietFor only (memory, not persisted: no write for it)
            if (early) current = current with { RefusedEarlyAt = now };
            return persist || early ? new(state.With(current, e.PoolId), Refuse(refusal), persist ? [e.PoolId] : Nothing)
                : new(state, Refuse(refusal), Nothing);
        }

        persist |= !current.Live; // the live flag is what a restart must not forget; later renewals restart as "now"
        var renewed = current with { Live = true, LastRenewalAt = now };
        return new(state.With(renewed, e.PoolId), new(true, renewed.Ttl, renewed.Term, "renewed"), persist ? [e.PoolId] : Nothing);
    }

    public static Step<ReplicaReleaseAck> Release(ReplicaState state, ReplicaReleaseNotice m, string region)
    {
        var current = state.Pool(m.PoolId);
        if (state.Recovering || current is null || !Matches(current, m.Release) || current.Released)
            return new(state, new(m.PoolId, m.Release.Term, region, current is { Released: true } && Matches(current, m.Release), m.CorrelationId), Nothing);
        return new(state.With(current with { Released = true }, m.PoolId), new(m.PoolId, m.Release.Term, region, true, m.CorrelationId), [m.PoolId]);
    }

    public static ReplicaStatus Status(ReplicaState state, ReplicaStatusQuery q, string region, TimeSpan now, GrantTiming timing) =>
        new(q.PoolId, region, state.Recovering ? null : state.Pool(q.PoolId)?.View(now, timing), state.Recovering, q.CorrelationId);

    /// <summary>The pools whose current term has been quiet here for at least its TTL × fraction + beyond (released
    /// terms too, flagged). A recovering replica answers with nothing and says so (it does not vote).</summary>
    public static ReplicaQuietTerms QuietTerms(ReplicaState state, ReplicaQuietQuery q, string region, TimeSpan now, GrantTiming timing) =>
        new(region, state.Recovering, state.Recovering ? [] : [.. state.Pools
            .Select(p => (Pool: p.Key, p.Value, Quiet: p.Value.QuietFor(now, timing)))
            .Where(p => p.Quiet >= p.Value.Ttl * q.TtlFraction + q.Beyond)
            .OrderBy(p => p.Pool, StringComparer.Ordinal)
            .Select(p => new ReplicaQuietTerm(p.Pool, p.Value.Term, p.Value.Holder, p.Value.Incarnation, p.Value.Ttl, p.Value.Released, p.Quiet))],
            q.CorrelationId);

    public static ReplicaStateTransferReply Snapshot(ReplicaState state, string region, long nonce, TimeSpan now, GrantTiming timing) =>
        new(region, nonce, state.Recovering,
            state.Recovering ? [] : [.. state.Pools.OrderBy(p => p.Key, StringComparer.Ordinal)
                .Select(p => new ReplicaPoolSnapshot(p.Key, p.Value.View(now), Positive(p.Value.QuietPoint(timing) - now)))]);

    /// <summary>Rebuilds a replica from the replies of <em>every</em> other replica: per pool the highest term (so a
    /// stale proposer's lower term is never accepted again), never live here, and refused until the later of the
    /// longest wait any of them reported and the <em>amnesia wait</em>: one hold of the longest TTL any term may have,
    /// from now. The copies alone are not enough (spin found it, model/grant_quorum.pml NO_AMNESIA_WAIT): a renewal
    /// the lost disk accepted may have its other acknowledgement still in flight, so no copy shows it yet; but it was
    /// accepted before now, so its permission ends within one hold from now.</summary>
    public static ReplicaState Recover(IReadOnlyCollection<ReplicaStateTransferReply> replies, TimeSpan now, GrantTiming timing, TimeSpan maxTtl)
    {
        var amnesiaWait = now + timing.ReplicaHoldFor(maxTtl);
        var pools = ImmutableDictionary.CreateBuilder<string, ReplicaPoolState>(StringComparer.Ordinal);
        foreach (var group in replies.SelectMany(r => r.Pools).GroupBy(p => p.PoolId, StringComparer.Ordinal))
        {
            var highest = group.MaxBy(p => p.Current.Term)!.Current;
            var quiet = now + group.Max(p => p.QuietRemaining);
            pools[group.Key] = new ReplicaPoolState(highest.Term, highest.Holder, highest.Incarnation, highest.Ttl,
                Live: false, Released: false, AcceptedAt: now, ActiveFrom: ReplicaPoolState.Max(quiet, amnesiaWait), LastRenewalAt: null,
                Standalone: highest.Standalone);
        }
        return new ReplicaState(false, pools.ToImmutable(), amnesiaWait);
    }

    private static ReplicaPoolState Install(
        ReplicaState state, ReplicaPoolState? previous, Forge.Protocol.TermId term, Forge.Protocol.NodeId holder, Guid incarnation,
        TimeSpan ttl, TimeSpan now, GrantTiming timing) =>
        new(term, holder, incarnation, ttl, Live: false, Released: false, AcceptedAt: now,
            ActiveFrom: ReplicaPoolState.Max(previous?.QuietPoint(timing) ?? now, state.AmnesiaUntil), LastRenewalAt: null);

    private static bool Matches(ReplicaPoolState s, TermRelease r) =>
        s.Term == r.Term && s.Holder == r.Holder && s.Incarnation == r.Incarnation;

    private static TimeSpan Positive(TimeSpan t) => t > TimeSpan.Zero ? t : TimeSpan.Zero;
}
