using System.Collections.Immutable;
using Forge.Protocol;

namespace Forge.Grants;

/// <summary>
/// The agent-side permission rule, pure and dependency-free (the NodeAgent calls it; times are CLOCK_BOOTTIME
/// instants of the agent's machine, which count across suspend).
/// <list type="bullet">
/// <item>Permission is always fresh: only a <see cref="Renewed"/> for a request this incarnation sent for the term it
/// holds counts, and it permits forging until <c>sentAt + TTL − margin − fenceDisableBound</c>, where sentAt was read
/// <em>before</em> the request was sent (<see cref="RequestSent"/>). The fence disables the node at that deadline,
/// so the node is off by sentAt + TTL − margin.</item>
/// <item>A term this agent released or abandoned (superseded, revoked, or let lapse) is over: answers for it are
/// ignored, whatever they say, and its request ids are forgotten.</item>
/// <item>Nothing that was once true extends permission later: no answer, grant or cached state does, only a newer
/// request's answer.</item>
/// </list>
/// Usage: <c>p = p.Adopt(grant)</c>; before each send <c>p = p.RequestSent(id, clock.Now)</c>; on answers
/// <c>p = p.OnRenewed(msg)</c>; forge while <c>p.MayForge(clock.Now)</c> and give the fence <c>p.ForgeUntil</c>.
/// </summary>
public sealed record GrantPermission(
    Guid Incarnation,
    GrantTiming Timing,
    TimeSpan FenceDisableBound,
    TermId Term,
    TimeSpan Ttl,
    TimeSpan ForgeUntil,
    ImmutableDictionary<long, TimeSpan> Outstanding,
    TermId EndedUpTo)
{
    public static GrantPermission Start(Guid incarnation, GrantTiming timing, TimeSpan fenceDisableBound) =>
        new(incarnation, timing, fenceDisableBound, TermId.None, TimeSpan.Zero, TimeSpan.Zero, ImmutableDictionary<long, TimeSpan>.Empty, TermId.None);

    public bool HoldsTerm => !Term.IsNone;

    /// <summary>May the node forge at <paramref name="now"/>?</summary>
    public bool MayForge(TimeSpan now) => HoldsTerm && now < ForgeUntil;

    /// <summary>Take a grant for this incarnation (ignored for another incarnation or a term not above the ones
    /// that ended). Adopting a new term drops the old term's permission: it was superseded.</summary>
    public GrantPermission Adopt(Grant g) =>
        g.Incarnation != Incarnation || g.Term <= EndedUpTo || g.Term <= Term
            ? this
            : this with { Term = g.Term, Ttl = g.Ttl, ForgeUntil = TimeSpan.Zero, Outstanding = Outstanding.Clear(), EndedUpTo = Max(EndedUpTo, Term) };

    /// <summary>Record a request id with the time read just before sending it.</summary>
    public GrantPermission RequestSent(long requestId, TimeSpan sentAt) =>
        HoldsTerm ? this with { Outstanding = Outstanding.SetItem(requestId, sentAt) } : this;

    /// <summary>A majority-accepted answer. Counts only for an outstanding request of this incarnation and term.</summary>
    public GrantPermission OnRenewed(Renewed r)
    {
        if (r.Incarnation != Incarnation || r.Term != Term || !HoldsTerm || !Outstanding.TryGetValue(r.RequestId, out var sentAt))
            return this;
        // never trust a longer TTL than the grant named
        var ttl = r.Ttl < Ttl ? r.Ttl : Ttl;
        var until = sentAt + Timing.AgentForgeFor(ttl, FenceDisableBound);
        return this with { ForgeUntil = until > ForgeUntil ? until : ForgeUntil, Outstanding = Outstanding.Remove(r.RequestId) };
    }

    /// <summary>A refusal: the request is answered; permission runs out on its own.</summary>
    public GrantPermission OnRefused(RenewRefused r) =>
        r.Incarnation == Incarnation && r.Term == Term ? this with { Outstanding = Outstanding.Remove(r.RequestId) } : this;

    /// <summary>The term is over for this agent (released after verified stop, superseded, revoked, lapsed): no
    /// later answer for it counts. Call before sending <see cref="Released"/>.</summary>
    public GrantPermission End() =>
        HoldsTerm
            ? this with { EndedUpTo = Max(EndedUpTo, Term), Term = TermId.None, Ttl = TimeSpan.Zero, ForgeUntil = TimeSpan.Zero, Outstanding = Outstanding.Clear() }
            : this;

    private static TermId Max(TermId a, TermId b) => a > b ? a : b;
}
