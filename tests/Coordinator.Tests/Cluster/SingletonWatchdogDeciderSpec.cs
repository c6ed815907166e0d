using System.Collections.Immutable;
using Akka.Cluster;
using Forge.Cluster;
using Xunit;

namespace Forge.Coordinator.Tests.Cluster;

public class SingletonWatchdogDeciderSpec
{
    private const string Coord = "coordinator";
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(20);
    private static readonly ImmutableArray<WatchedSingleton> Watched =
    [
        new("arbiter", "/user/a/a", Coord),
        new("shards", "/system/sharding/xCoordinator/singleton/coordinator", Coord),
        new("crd-east", "/user/crd/crd", "region:east"),
    ];

    private static WatchdogMember M(string address, int age, MemberStatus status = MemberStatus.Up, bool reachable = true, string region = "east") =>
        new(address, status, ImmutableHashSet.Create(StringComparer.Ordinal, Coord, "region:" + region), age, reachable);

    private static ImmutableArray<WatchdogMember> Three(string selfRegion = "east") =>
        [M("a", 0, region: selfRegion), M("b", 1, region: "west"), M("c", 2, region: "eu")];

    private static WatchdogObservation Obs(string self, ImmutableArray<WatchdogMember> members, double nowS, params string[] resolved) =>
        new(self, members, resolved.ToImmutableHashSet(StringComparer.Ordinal), TimeSpan.FromSeconds(nowS));

    private static ImmutableDictionary<string, TimeSpan> Since(params (string Name, double At)[] s) =>
        s.ToImmutableDictionary(x => x.Name, x => TimeSpan.FromSeconds(x.At), StringComparer.Ordinal);

    public static IEnumerable<object[]> Table() =>
    [
        // name, observation, missing since (carried), expected kind, expected missing
        ["oldest, converged, all running", Obs("a", Three(), 100, "arbiter", "shards", "crd-east"), Since(), WatchdogVerdictKind.Healthy, ""],
        ["oldest, converged, arbiter missing 25 s > bound: restart", Obs("a", Three(), 100, "shards", "crd-east"), Since(("arbiter", 75)),
            WatchdogVerdictKind.Restart, "arbiter"],
        ["oldest, converged, both coordinator-role singletons missing past the bound", Obs("a", Three(), 100, "crd-east"),
            Since(("arbiter", 70), ("shards", 79.9)), WatchdogVerdictKind.Restart, "arbiter,shards"],
        ["exactly at the bound: restart", Obs("a", Three(), 100, "shards", "crd-east"), Since(("arbiter", 80)), WatchdogVerdictKind.Restart, "arbiter"],
        ["oldest, converged, missing 19.9 s: wait", Obs("a", Three(), 100, "shards", "crd-east"), Since(("arbiter", 80.1)),
            WatchdogVerdictKind.Waiting, "arbiter"],
        ["first sight of a missing singleton starts the clock", Obs("a", Three(), 100, "shards", "crd-east"), Since(), WatchdogVerdictKind.Waiting, "arbiter"],
        ["not the oldest: someone else hosts them", Obs("b", Three(), 100), Since(("arbiter", 0)), WatchdogVerdictKind.Healthy, ""],
        ["a member joining: not converged", Obs("a", [.. Three(), M("d", 3, MemberStatus.Joining)], 100), Since(("arbiter", 0)),
            WatchdogVerdictKind.Healthy, ""],
        ["a member weakly up: not converged", Obs("a", [.. Three(), M("d", 3, MemberStatus.WeaklyUp)], 100), Since(("arbiter", 0)),
            WatchdogVerdictKind.Healthy, ""],
        ["the previous oldest leaving (hand-over in progress): not converged",
            Obs("a", [M("z", 0, MemberStatus.Leaving), .. Three()], 100), Since(("arbiter", 0)), WatchdogVerdictKind.Healthy, ""],
        ["the previous oldest exiting: not converged", Obs("a", [M("z", 0, MemberStatus.Exiting), .. Three()], 100), Since(("arbiter", 0)),
            WatchdogVerdictKind.Healthy, ""],
        ["the previous oldest downed, not yet removed: not converged", Obs("a", [M("z", 0, MemberStatus.Down, reachable: false), .. Three()], 100),
            Since(("arbiter", 0)), WatchdogVerdictKind.Healthy, ""],
        ["a member unreachable: not converged", Obs("a", [M("a", 0), M("b", 1, reachable: false), M("c", 2)], 100), Since(("arbiter", 0)),
            WatchdogVerdictKind.Healthy, ""],
        ["this member itself leaving: not converged", Obs("a", [M("a", 0, MemberStatus.Leaving), M("b", 1), M("c", 2)], 100),
            Since(("arbiter", 0)), WatchdogVerdictKind.Healthy, ""],
        ["not a member yet", Obs("x", Three(), 100), Since(("arbiter", 0)), WatchdogVerdictKind.Healthy, ""],
        ["a cluster of one: it is the oldest", Obs("a", [M("a", 0)], 100, "arbiter", "crd-east"), Since(("shards", 50)), WatchdogVerdictKind.Restart, "shards"],
        ["region singleton: oldest of its region, not of the cluster",
            Obs("b", [M("a", 0, region: "west"), M("b", 1, region: "east"), M("c", 2, region: "eu")], 100), Since(("crd-east", 60)),
            WatchdogVerdictKind.Restart, "crd-east"],
        ["region singleton: an older member of the same region hosts it",
            Obs("b", [M("a", 0, region: "east"), M("b", 1, region: "east"), M("c", 2, region: "eu")], 100), Since(("crd-east", 60)),
            WatchdogVerdictKind.Healthy, ""],
        ["a singleton that came back clears its clock", Obs("a", Three(), 100, "arbiter", "shards", "crd-east"), Since(("arbiter", 10)),
            WatchdogVerdictKind.Healthy, ""],
    ];

    [Theory]
    [MemberData(nameof(Table))]
    public void Restarts_only_the_oldest_of_a_converged_cluster_missing_a_singleton_past_the_bound(string name, WatchdogObservation o,
        ImmutableDictionary<string, TimeSpan> since, WatchdogVerdictKind kind, string missing)
    {
        var v = SingletonWatchdogDecider.Decide(o, Watched, since, Bound);
        Assert.True(kind == v.Kind, $"{name}: expected {kind}, got {v.Kind} ({v.Reason})");
        Assert.Equal(missing, string.Join(",", v.Missing));
        Assert.False(string.IsNullOrWhiteSpace(v.Reason));
    }

    [Fact]
    public void Any_unconverged_observation_resets_the_clock()
    {
        var unconverged = Obs("a", [M("a", 0), M("b", 1, reachable: false)], 100);
        var v = SingletonWatchdogDecider.Decide(unconverged, Watched, Since(("arbiter", 0)), Bound);
        Assert.Empty(v.MissingSince);
        // Converged again 1 s later: the clock starts over, so 19 s later it still waits.
        var again = SingletonWatchdogDecider.Decide(Obs("a", Three(), 101, "shards", "crd-east"), Watched, v.MissingSince, Bound);
        Assert.Equal(TimeSpan.FromSeconds(101), again.MissingSince["arbiter"]);
        var later = SingletonWatchdogDecider.Decide(Obs("a", Three(), 120, "shards", "crd-east"), Watched, again.MissingSince, Bound);
        Assert.Equal(WatchdogVerdictKind.Waiting, later.Kind);
        var past = SingletonWatchdogDecider.Decide(Obs("a", Three(), 121, "shards", "crd-east"), Watched, later.MissingSince, Bound);
        Assert.Equal(WatchdogVerdictKind.Restart, past.Kind);
    }

    [Fact]
    public void Settings_reject_a_bound_below_two_checks()
    {
        var e = Assert.Throws<ArgumentException>(() =>
            new LivenessWatchdogSettings(true, TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(3), TimeSpan.FromSeconds(60)));
        Assert.Contains("forge.cluster.liveness-watchdog.singleton-missing-after", e.Message);
        Assert.Throws<ArgumentException>(() => new LivenessWatchdogSettings(true, TimeSpan.Zero, TimeSpan.FromSeconds(3), TimeSpan.FromSeconds(60)));
    }
}
