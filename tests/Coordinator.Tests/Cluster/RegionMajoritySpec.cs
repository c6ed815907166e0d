using System.Collections.Immutable;
using Forge.Cluster;
using Xunit;

namespace Forge.Coordinator.Tests.Cluster;

public class RegionMajoritySpec
{
    private static readonly ImmutableArray<string> Three = ["eu", "us-e", "us-w"];
    private static RegionMember M(string addr, string region, bool reachable, bool joining = false) => new(addr, region, reachable, joining);

    public static IEnumerable<object[]> Table() =>
    [
        // name, configured, members, expected kind, expected downed
        ["all reachable", Three, new[] { M("a", "eu", true), M("b", "us-e", true), M("c", "us-w", true) }, RegionDecisionKind.NoAction, ""],
        ["2 regions vs 1 (keep mine)", Three, new[] { M("a", "eu", true), M("b", "us-e", true), M("c", "us-w", false) }, RegionDecisionKind.DownUnreachable, "c"],
        ["1 region vs 2 (down mine)", Three, new[] { M("a", "eu", true), M("b", "us-e", false), M("c", "us-w", false) }, RegionDecisionKind.DownReachable, "a"],
        ["pods do not count: 3 pods of one region vs 2 regions", Three,
            new[] { M("a1", "eu", true), M("a2", "eu", true), M("a3", "eu", true), M("b", "us-e", false), M("c", "us-w", false) },
            RegionDecisionKind.DownReachable, "a1,a2,a3"],
        ["pods do not count: 2 regions of 1 pod vs 1 region of 3 pods", Three,
            new[] { M("b", "us-e", true), M("c", "us-w", true), M("a1", "eu", false), M("a2", "eu", false), M("a3", "eu", false) },
            RegionDecisionKind.DownUnreachable, "a1,a2,a3"],
        ["1-vs-1-vs-1: nobody has a majority", Three, new[] { M("a", "eu", true), M("b", "us-e", false), M("c", "us-w", false) }, RegionDecisionKind.DownReachable, "a"],
        ["two regions without witness, 1 vs 1: both down", ImmutableArray.Create("eu", "us"),
            new[] { M("a", "eu", true), M("b", "us", false) }, RegionDecisionKind.DownReachable, "a"],
        ["two regions + witness: region + witness survive", ImmutableArray.Create("eu", "us", "witness-x"),
            new[] { M("a", "eu", true), M("w", "witness-x", true), M("b", "us", false) }, RegionDecisionKind.DownUnreachable, "b"],
        ["joining members do not count but are downed with their side", Three,
            new[] { M("a", "eu", true), M("j", "us-e", true, joining: true), M("b", "us-e", false), M("c", "us-w", false) },
            RegionDecisionKind.DownReachable, "a,j"],
        ["a region split across sides: more regions wins", Three,
            new[] { M("a1", "eu", true), M("b", "us-e", true), M("c", "us-w", true), M("a2", "eu", false) },
            RegionDecisionKind.DownUnreachable, "a2"],
        ["a region split across sides, both with a majority and equal counts: lowest address wins (mine)", Three,
            new[] { M("a1", "eu", true), M("b", "us-e", true), M("a2", "eu", false), M("c", "us-w", false) },
            RegionDecisionKind.DownUnreachable, "a2,c"],
        ["same, seen from the other side", Three,
            new[] { M("a2", "eu", true), M("c", "us-w", true), M("a1", "eu", false), M("b", "us-e", false) },
            RegionDecisionKind.DownReachable, "a2,c"],
        ["a member without a configured region counts for nothing", Three,
            new[] { M("a", "eu", true), M("x", "mars", true), M("b", "us-e", false), M("c", "us-w", false) },
            RegionDecisionKind.DownReachable, "a,x"],
    ];

    [Theory]
    [MemberData(nameof(Table))]
    public void Decides_by_configured_regions(string name, ImmutableArray<string> configured, RegionMember[] members,
        RegionDecisionKind kind, string downed)
    {
        var d = RegionMajority.Decide(configured, members);
        Assert.True(kind == d.Kind, $"{name}: expected {kind}, got {d.Kind} ({d.Reason})");
        Assert.Equal(downed, string.Join(",", d.ToDown));
        Assert.False(string.IsNullOrWhiteSpace(d.Reason));
    }

    [Fact]
    public void Both_sides_of_any_two_way_split_never_both_survive()
    {
        // Exhaustive over 3 regions x up to 2 members each, every assignment to two sides.
        var slots = new[] { ("eu", "a1"), ("eu", "a2"), ("us-e", "b1"), ("us-e", "b2"), ("us-w", "c1"), ("us-w", "c2") };
        for (var present = 1; present < 1 << slots.Length; present++)
        for (var side = 0; side < 1 << slots.Length; side++)
        {
            if ((side & ~present) != 0) continue;
            var members = Enumerable.Range(0, slots.Length).Where(i => (present & (1 << i)) != 0)
                .Select(i => (slots[i].Item2, slots[i].Item1, A: (side & (1 << i)) != 0)).ToList();
            if (members.All(m => m.A) || members.All(m => !m.A)) continue;
            var fromA = RegionMajority.Decide(Three, members.Select(m => M(m.Item1, m.Item2, m.A)));
            var fromB = RegionMajority.Decide(Three, members.Select(m => M(m.Item1, m.Item2, !m.A)));
            var aSurvives = fromA.Kind == RegionDecisionKind.DownUnreachable;
            var bSurvives = fromB.Kind == RegionDecisionKind.DownUnreachable;
            Assert.False(aSurvives && bSurvives, $"both sides survive: {string.Join(" ", members)}");
            // A side with a strict majority of regions and more regions than the other side always survives.
            var ra = members.Where(m => m.A).Select(m => m.Item2).Distinct().Count();
            var rb = members.Where(m => !m.A).Select(m => m.Item2).Distinct().Count();
            if (ra >= 2 && ra > rb) Assert.True(aSurvives, $"majority side A downed: {string.Join(" ", members)}");
        }
    }
}
