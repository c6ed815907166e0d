using System.Collections.Immutable;
using Akka.Cluster;
using Forge.Cluster;
using Xunit;

namespace Forge.Coordinator.Tests.Cluster;

public class MinorityClusterDeciderSpec
{
    private static readonly ImmutableArray<string> Three = ["eu", "us-e", "us-w"];
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(60);

    private static WatchdogMember M(string address, string? region, MemberStatus status = MemberStatus.Up, bool reachable = true) =>
        new(address, status, region is null ? ImmutableHashSet.Create(StringComparer.Ordinal, "coordinator")
            : ImmutableHashSet.Create(StringComparer.Ordinal, "coordinator", "region:" + region), 0, reachable);

    private static WatchdogObservation Obs(double nowS, params WatchdogMember[] members) =>
        new("a", [.. members], ImmutableHashSet<string>.Empty, TimeSpan.FromSeconds(nowS));

    public static IEnumerable<object?[]> Table() =>
    [
        // name, configured, observation, minority since (carried, s), expected restart, expected since (s)
        ["an island of one region for 61 s: restart", Three, Obs(100, M("a", "us-e")), 39.0, true, 39.0],
        ["exactly the bound: restart", Three, Obs(100, M("a", "us-e")), 40.0, true, 40.0],
        ["an island for 59 s: wait", Three, Obs(100, M("a", "us-e")), 41.0, false, 41.0],
        ["first sight of an island starts the clock", Three, Obs(100, M("a", "us-e")), null, false, 100.0],
        ["three pods of one region are still one region", Three, Obs(100, M("a", "us-e"), M("b", "us-e"), M("c", "us-e")), 0.0, true, 0.0],
        ["two of three regions: a majority", Three, Obs(100, M("a", "us-e"), M("b", "eu")), 0.0, false, null],
        ["all regions", Three, Obs(100, M("a", "us-e"), M("b", "eu"), M("c", "us-w")), 0.0, false, null],
        ["a member unreachable: the downing decides", Three, Obs(100, M("a", "us-e"), M("b", "eu", reachable: false)), 0.0, false, null],
        ["a member joining: the cluster is forming", Three, Obs(100, M("a", "us-e"), M("b", "eu", MemberStatus.Joining)), 0.0, false, null],
        ["a member leaving", Three, Obs(100, M("a", "us-e"), M("b", "us-e", MemberStatus.Leaving)), 0.0, false, null],
        ["a member without a configured region counts for nothing", Three, Obs(100, M("a", "us-e"), M("x", "mars"), M("y", null)), 0.0, true, 0.0],
        ["one configured region: one is a majority", ImmutableArray.Create("us-e"), Obs(100, M("a", "us-e")), 0.0, false, null],
        ["two regions + witness: region + witness is a majority", ImmutableArray.Create("eu", "us", "w"), Obs(100, M("a", "us"), M("b", "w")), 0.0, false, null],
        ["two regions without witness: one is not a majority", ImmutableArray.Create("eu", "us"), Obs(100, M("a", "us")), 0.0, true, 0.0],
        ["not a member yet", Three, new WatchdogObservation("zz", [M("a", "us-e")], ImmutableHashSet<string>.Empty, TimeSpan.FromSeconds(100)), 0.0,
            false, null],
    ];

    [Theory]
    [MemberData(nameof(Table))]
    public void Restarts_only_a_converged_minority_held_past_the_bound(string name, ImmutableArray<string> configured, WatchdogObservation o,
        double? sinceS, bool restart, double? expectedSinceS)
    {
        var v = MinorityClusterDecider.Decide(o, configured, sinceS is { } s ? TimeSpan.FromSeconds(s) : null, Bound);
        Assert.True(restart == v.Restart, $"{name}: expected restart={restart} ({v.Reason})");
        Assert.Equal(expectedSinceS is { } e ? TimeSpan.FromSeconds(e) : null, v.MinoritySince);
        Assert.False(string.IsNullOrWhiteSpace(v.Reason));
    }
}
