using System.Collections.Immutable;
using Forge.Protocol;

namespace Forge.Grants;

/// <summary>
/// Whether a coordinator other than the singleton should propose a failover term: a majority of configured regions
/// report <c>stalledTerm</c> as their current term and either released or quiet (not renewed while renewable) for
/// <see cref="GrantSettings.QuietAfter"/> (half its TTL by default: at least two missed renewals, as holders renew every
/// TTL/5). A region whose current term is older and quiet that long counts too, as in <see cref="QuietTally.Majority"/>:
/// it never accepted a renewal of the stalled term (that would have installed it). Safety never depends on this answer
/// (replicas still make the new term wait until TTL + margin after the last renewal they accepted); it only keeps
/// healthy holders from being replaced.
/// </summary>
public static class FailoverCheck
{
    public enum Verdict { Undecided, Stalled, NotStalled }

    public static Verdict Decide(TermId stalledTerm, ImmutableDictionary<string, ReplicaStatus> byRegion, GrantSettings settings)
    {
        var counted = byRegion.Where(kv => settings.IsConfiguredRegion(kv.Key) && !kv.Value.Recovering).ToList();
        var stalled = counted.Count(kv => IsStalled(stalledTerm, kv.Value.Current, settings));
        if (stalled >= settings.Majority) return Verdict.Stalled;
        var notStalled = byRegion.Count(kv => settings.IsConfiguredRegion(kv.Key)) - stalled;
        return notStalled > settings.Regions.Length - settings.Majority ? Verdict.NotStalled : Verdict.Undecided;
    }

    private static bool IsStalled(TermId stalledTerm, ReplicaTermView? v, GrantSettings s)
    {
        if (v is null) return stalledTerm.IsNone;
        if (v.Term > stalledTerm) return false; // replaced
        if (v.Released && v.Term == stalledTerm) return true;
        // Older replicas send no Quiet: their time since the last renewal (or acceptance) is an upper bound of it.
        var quiet = v.Quiet ?? v.SinceLastRenewal ?? v.SinceAccepted;
        return quiet >= s.QuietAfter(v.Ttl);
    }
}
