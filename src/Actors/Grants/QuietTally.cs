using System.Collections.Immutable;
using Forge.Protocol;

namespace Forge.Grants;

/// <summary>A term that a majority of configured regions report quiet: its holder has not had a majority-accepted
/// renewal for at least <paramref name="QuietFor"/> (any such renewal would have met one of those replicas).</summary>
/// <param name="QuietFor">The shortest quiet among the majority that reported it (replica clocks).</param>
/// <param name="Released">Some replica of that majority knows the holder released it.</param>
public sealed record QuietTerm(string PoolId, TermId Term, NodeId Holder, Guid Incarnation, TimeSpan Ttl, bool Released,
    TimeSpan QuietFor, ImmutableArray<string> Regions);

/// <summary>
/// Counts quiet-term answers by distinct configured region (never by answers; recovering replicas do not vote). Pure.
/// <see cref="Majority"/>: a term is quiet when a majority of regions report it, or an older term of its pool, quiet.
/// <see cref="Current"/>: a term is current when a majority of regions report that same term.
/// </summary>
public static class QuietTally
{
    /// <summary>The threshold a proposer of rank <paramref name="rank"/> applies: the quiet bound of the term's TTL,
    /// plus <c>rank × failover-proposal-timeout</c> (rank 0 is the arbiter; fallback proposers give it time first).</summary>
    public static ReplicaQuietQuery Query(GrantSettings s, int rank, long correlationId) =>
        new(s.FailoverQuietFraction, s.FailoverProposalTimeout * rank, correlationId);

    /// <summary>
    /// The newest term of each pool that a majority of regions report quiet. A region whose replica reports an older
    /// term of the pool quiet votes for the newer one too: it never accepted a renewal of the newer term (that would
    /// have installed it there) and none of its own for as long as it reports, and the newer term's replicas refuse the
    /// older one's renewals. So no renewal of either reached a majority in that time. Without this vote a replica that
    /// rejoined just before the forger's region was cut off (no renewal of the current term reached it yet) left that
    /// term one region short of a majority until the cut healed: a 22.5 s failover in session 8's partition series.
    /// </summary>
    public static ImmutableArray<QuietTerm> Majority(IEnumerable<ReplicaQuietTerms> answers, GrantSettings s) =>
        [.. Tally(answers, s, olderVotes: true)
            .GroupBy(t => t.PoolId, StringComparer.Ordinal)
            .Select(pool => pool.MaxBy(t => t.Term)!)
            .OrderBy(t => t.PoolId, StringComparer.Ordinal)];

    /// <summary>Each pool's term that a majority of regions report as their current one (a query of fraction 0
    /// reports every term, quiet or not, so an older term is no vote here: its holder may be renewing).</summary>
    public static ImmutableArray<QuietTerm> Current(IEnumerable<ReplicaQuietTerms> answers, GrantSettings s) =>
        [.. Tally(answers, s, olderVotes: false).OrderBy(t => t.PoolId, StringComparer.Ordinal)];

    /// <summary>
    /// Whether the regions that have not answered yet can no longer change the verdict on any pool reported so far:
    /// they are fewer than a majority, and each such pool either has a term with its majority of regions already or
    /// has none that could reach one even if every silent region voted for it. The proposer answers then, without
    /// waiting for a region that is cut off or dead (it waited up to a quarter of the round timeout for it before, which
    /// delayed every fallback proposal after a region loss). A later answer may still name a newer quiet term of a pool,
    /// or a longer <see cref="QuietTerm.QuietFor"/>; the earlier verdict stays a true statement.
    /// </summary>
    public static bool Settled(IEnumerable<ReplicaQuietTerms> answers, GrantSettings s, bool olderVotes = true)
    {
        var answered = answers.Where(a => s.IsConfiguredRegion(a.Region)).Select(a => a.Region).ToList();
        var silent = s.Regions.Length - answered.Distinct(StringComparer.Ordinal).Count();
        // silent regions that alone make a majority could report a term nobody reported yet
        return silent < s.Majority && Candidates(Voting(answers, s), olderVotes)
            .GroupBy(c => c.Term.PoolId, StringComparer.Ordinal)
            .All(pool => pool.Any(c => c.Voters.Count >= s.Majority) || pool.All(c => c.Voters.Count + silent < s.Majority));
    }

    private static IEnumerable<QuietTerm> Tally(IEnumerable<ReplicaQuietTerms> answers, GrantSettings s, bool olderVotes) =>
        Candidates(Voting(answers, s), olderVotes)
            .Where(c => c.Voters.Count >= s.Majority)
            .Select(c => new QuietTerm(c.Term.PoolId, c.Term.Term, c.Term.Holder, c.Term.Incarnation, c.Term.Ttl,
                c.Voters.Any(v => v.Own.Released && v.Own.Term == c.Term.Term),
                c.Voters.Select(v => v.Own.QuietFor).OrderDescending().ElementAt(s.Majority - 1),
                [.. c.Voters.Select(v => v.Region).Order(StringComparer.Ordinal)]));

    private static IEnumerable<ReplicaQuietTerms> Voting(IEnumerable<ReplicaQuietTerms> answers, GrantSettings s) =>
        answers.Where(a => !a.Recovering && s.IsConfiguredRegion(a.Region))
            .GroupBy(a => a.Region, StringComparer.Ordinal).Select(g => g.First());

    /// <summary>Every term reported, with the regions voting for it: those reporting it, and (with
    /// <paramref name="olderVotes"/>) those reporting an older term of its pool.</summary>
    private static IEnumerable<(ReplicaQuietTerm Term, List<(string Region, ReplicaQuietTerm Own)> Voters)> Candidates(
        IEnumerable<ReplicaQuietTerms> voting, bool olderVotes) =>
        voting.SelectMany(a => a.Terms.Select(t => (a.Region, Own: t)))
            .GroupBy(x => x.Own.PoolId, StringComparer.Ordinal)
            .SelectMany(pool => pool
                .GroupBy(x => (x.Own.Term, x.Own.Holder, x.Own.Incarnation))
                .Select(same => (same.First().Own,
                    pool.Where(x => same.Key == (x.Own.Term, x.Own.Holder, x.Own.Incarnation) || olderVotes && x.Own.Term < same.Key.Term)
                        .ToList())));
}
