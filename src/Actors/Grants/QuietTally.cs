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
/// Counts quiet-term answers by distinct configured region (never by answers; recovering replicas do not vote): a term
/// is quiet when a majority of regions report that same term (holder, incarnation) quiet. Pure.
/// </summary>
public static class QuietTally
{
    /// <summary>The threshold a proposer of rank <paramref name="rank"/> applies: the quiet bound of the term's TTL,
    /// plus <c>rank × failover-proposal-timeout</c> (rank 0 is the arbiter; fallback proposers give it time first).</summary>
    public static ReplicaQuietQuery Query(GrantSettings s, int rank, long correlationId) =>
        new(s.FailoverQuietFraction, s.FailoverProposalTimeout * rank, correlationId);

    public static ImmutableArray<QuietTerm> Majority(IEnumerable<ReplicaQuietTerms> answers, GrantSettings s) =>
        [.. ByTerm(Voting(answers, s))
            .Where(g => g.Count() >= s.Majority)
            .Select(g =>
            {
                var quiet = g.Select(x => x.Term.QuietFor).OrderDescending().ElementAt(s.Majority - 1);
                return new QuietTerm(g.Key.PoolId, g.Key.Term, g.Key.Holder, g.Key.Incarnation, g.First().Term.Ttl,
                    g.Any(x => x.Term.Released), quiet, [.. g.Select(x => x.Region).Order(StringComparer.Ordinal)]);
            })
            .OrderBy(t => t.PoolId, StringComparer.Ordinal)];

    /// <summary>
    /// Whether the regions that have not answered yet can no longer change <see cref="Majority"/>'s verdict: they are
    /// fewer than a majority, and every term reported so far either has its majority of regions already or could not
    /// reach one even if every silent region reported it. The proposer answers then, without waiting for a region that is cut off or dead (it waited up to a
    /// quarter of the round timeout for it before, which delayed every fallback proposal after a region loss).
    /// A quiet term's <see cref="QuietTerm.QuietFor"/> may still grow with a later answer; it is not used to decide.
    /// </summary>
    public static bool Settled(IEnumerable<ReplicaQuietTerms> answers, GrantSettings s)
    {
        var answered = answers.Where(a => s.IsConfiguredRegion(a.Region)).Select(a => a.Region).ToList();
        var silent = s.Regions.Length - answered.Distinct(StringComparer.Ordinal).Count();
        // silent regions that alone make a majority could report a term nobody reported yet
        return silent < s.Majority && ByTerm(Voting(answers, s)).All(g => g.Count() >= s.Majority || g.Count() + silent < s.Majority);
    }

    private static IEnumerable<ReplicaQuietTerms> Voting(IEnumerable<ReplicaQuietTerms> answers, GrantSettings s) =>
        answers.Where(a => !a.Recovering && s.IsConfiguredRegion(a.Region))
            .GroupBy(a => a.Region, StringComparer.Ordinal).Select(g => g.First());

    private static IEnumerable<IGrouping<(string PoolId, TermId Term, NodeId Holder, Guid Incarnation), (string Region, ReplicaQuietTerm Term)>>
        ByTerm(IEnumerable<ReplicaQuietTerms> voting) =>
        voting.SelectMany(a => a.Terms.Select(t => (a.Region, Term: t)))
            .GroupBy(x => (x.Term.PoolId, x.Term.Term, x.Term.Holder, x.Term.Incarnation));
}
