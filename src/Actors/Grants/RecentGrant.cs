using Forge.Protocol;

namespace Forge.Grants;

/// <summary>
/// "Never mint a new term for the current holder", at the proposer: a proposal for the very incarnation this proposer got
/// a term accepted for moments ago, from an asker that does not know that term yet, is answered with that term instead
/// of a new one. The arbiter and the failover watch of rank 1 share the arbiter host's proposer; both act on the same
/// quiet verdict, and a second term for the same successor made it drop its first (already forging) and wait out a whole
/// TTL for the second (session 9: a 9.3 s partition failover). Pure.
/// </summary>
public static class RecentGrant
{
    /// <param name="last">The last term this proposer got majority-accepted for the pool, and when (its clock).</param>
    /// <param name="highestSeen">The highest term of the pool this proposer has seen: nothing newer may have replaced it.</param>
    /// <returns>The grant to answer with (its activation hint shortened by its age), or null: propose a new term.</returns>
    public static TermGranted? Reuse((TermGranted Grant, TimeSpan At)? last, TermId highestSeen, ProposeTerm p, TimeSpan now)
    {
        if (last is not ({ } g, var at)) return null;
        var age = now - at;
        var same = g.Holder == p.Holder && g.Incarnation == p.Incarnation;
        // The asker names the term it wants to go above: one that knows this term (a re-grant after a verified release, a
        // replaced TTL) gets a new one; so does a release-carrying or standalone proposal, or a term older than its TTL.
        if (!same || p.PreviousRelease is not null || p.IsStandalone || p.Above >= g.Term || g.Term != highestSeen || age >= g.Ttl)
            return null;
        var remaining = g.ActivationDelay - age;
        return g with
        {
            ActivationDelay = remaining > TimeSpan.Zero ? remaining : TimeSpan.Zero,
            Reason = $"{p.Reason} (term {g.Term}, granted to this incarnation {age.TotalSeconds:0.0}s ago by this coordinator, stands: {g.Reason})",
        };
    }
}
