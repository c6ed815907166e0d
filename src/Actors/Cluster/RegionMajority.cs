using System.Collections.Immutable;

namespace Forge.Cluster;

/// <summary>One cluster member as the downing decision sees it.</summary>
/// <param name="Address">Unique address text (host, port, uid); only used for identity and ordering.</param>
/// <param name="Region">The member's region role, or null when it has none (counts for no region).</param>
/// <param name="Reachable">Reachable from this side (not in the unreachable set).</param>
/// <param name="Joining">Joining or WeaklyUp: counts for no side, is downed with its side.</param>
public sealed record RegionMember(string Address, string? Region, bool Reachable, bool Joining = false);

public enum RegionDecisionKind
{
    /// <summary>Nothing is unreachable: nothing to do.</summary>
    NoAction,
    /// <summary>This side holds a majority of the configured regions: down the unreachable members.</summary>
    DownUnreachable,
    /// <summary>This side does not hold a majority of the configured regions: down every member of this side
    /// (itself included). Another side may hold the majority, or none does and the whole cluster stops.</summary>
    DownReachable,
}

/// <summary>The decision, the members to down, and why (logged and counted).</summary>
public sealed record RegionDecision(RegionDecisionKind Kind, ImmutableArray<string> ToDown, string Reason,
    ImmutableArray<string> ReachableRegions, ImmutableArray<string> UnreachableRegions);

/// <summary>
/// The split-brain decider: which side of a partition survives, by majority of the <em>configured</em> regions,
/// never of members (pod counts differ per region and must not decide). Pure: a function of the configured region
/// list and the members as this side sees them. In the spirit of Akka's <c>DowningStrategy</c> (decide) vs
/// <c>SplitBrainResolver</c> (act), here <see cref="RegionDowningActor"/> acts.
/// <list type="bullet">
/// <item>A region counts for a side when at least one of its Up/Leaving members is there.</item>
/// <item>A side survives only with a strict majority of the configured regions, and more regions than the other
/// side (a region split across both sides can give both a majority: then the side with more regions wins, and on
/// a tie the side holding the lowest member address). Otherwise it downs itself.</item>
/// <item>No strict majority anywhere (1-vs-1-vs-1, 1-vs-1 of a two-region cluster without witness): every side
/// downs itself. The grant quorum could not grant there either, so nothing is lost that was not lost already.</item>
/// </list>
/// </summary>
public static class RegionMajority
{
    public static RegionDecision Decide(ImmutableArray<string> configuredRegions, IEnumerable<RegionMember> members)
    {
        var all = members.ToImmutableArray();
        var configured = configuredRegions.ToImmutableHashSet(StringComparer.Ordinal);
        var reachable = all.Where(m => m.Reachable).ToImmutableArray();
        var unreachable = all.Where(m => !m.Reachable).ToImmutableArray();

        ImmutableArray<string> RegionsOf(IEnumerable<RegionMember> side) => side
            .Where(m => !m.Joining && m.Region is not null && configured.Contains(m.Region))
            .Select(m => m.Region!).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToImmutableArray();

        var mine = RegionsOf(reachable);
        var theirs = RegionsOf(unreachable);
        if (unreachable.IsEmpty)
            return new(RegionDecisionKind.NoAction, [], "all members reachable", mine, theirs);

        var n = configured.Count;
        var needed = n / 2 + 1;
        var iHaveMajority = mine.Length >= needed;
        var theyHaveMajority = theirs.Length >= needed;

        bool keepMine;
        string why;
        if (!iHaveMajority)
        {
            keepMine = false;
            why = theyHaveMajority
                ? $"this side has {mine.Length} of {n} configured regions [{Join(mine)}]; the other side has a majority [{Join(theirs)}]"
                : $"no side has a majority of the {n} configured regions (this side [{Join(mine)}], unreachable [{Join(theirs)}])";
        }
        else if (!theyHaveMajority || mine.Length > theirs.Length)
        {
            keepMine = true;
            why = $"this side has {mine.Length} of {n} configured regions [{Join(mine)}], a majority; unreachable [{Join(theirs)}]";
        }
        else if (mine.Length < theirs.Length)
        {
            keepMine = false;
            why = $"both sides reach a majority through a split region; the other side has more regions [{Join(theirs)}]";
        }
        else
        {
            var lowest = all.Where(m => !m.Joining).Select(m => m.Address).Order(StringComparer.Ordinal).FirstOrDefault();
            keepMine = reachable.Any(m => m.Address == lowest);
            why = $"both sides reach a majority through a split region with equal region counts; the side holding the lowest address {lowest} survives";
        }

        return keepMine
            ? new(RegionDecisionKind.DownUnreachable, unreachable.Select(m => m.Address).Order(StringComparer.Ordinal).ToImmutableArray(), why, mine, theirs)
            : new(RegionDecisionKind.DownReachable, reachable.Select(m => m.Address).Order(StringComparer.Ordinal).ToImmutableArray(), why, mine, theirs);
    }

    private static string Join(ImmutableArray<string> regions) => string.Join(", ", regions);
}
