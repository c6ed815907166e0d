using Akka.Actor;
using Forge.Specs;
using static Forge.Coordinator.Tests.Fixtures;
using static Forge.Coordinator.Tests.MultiNode.MultiNodeWait;

namespace Forge.Coordinator.Tests.MultiNode;

/// <summary>Forms the three in-process coordinators (us-east-1 first, so it is the oldest and hosts the arbiter), stores
/// one cluster spec per region (east, west, eu) and waits until every coordinator knows the pool (unknown pools are
/// refused at registration).</summary>
public static class ThreeRegionCluster
{
    public static async Task FormAsync(List<InProcessCoordinator> nodes, FakeQuorum? quorum, string extraConfig, string poolId,
        int eastPriority, int westPriority, int euPriority)
    {
        var ports = Enumerable.Range(0, 3).Select(_ => InProcessCoordinator.FreePort()).ToArray();
        var seed = InProcessCoordinator.SeedOf(ports[0]);
        nodes.Add(InProcessCoordinator.Start(ports[0], "us-east-1", Regions, seed, quorum, extraConfig));
        await Until(() => nodes[0].UpMembers().Length == 1, TimeSpan.FromSeconds(10), "east up");
        nodes.Add(InProcessCoordinator.Start(ports[1], "us-west-2", Regions, seed, quorum, extraConfig));
        nodes.Add(InProcessCoordinator.Start(ports[2], "eu-west-1", Regions, seed, quorum, extraConfig));
        await Until(() => nodes.All(n => n.UpMembers().Length == 3), TimeSpan.FromSeconds(15), "three members up");

        foreach (var (cluster, priority, region) in new[] { ("east", eastPriority, "us-east-1"), ("west", westPriority, "us-west-2"), ("eu", euPriority, "eu-west-1") })
            await Until(async () => (await nodes[0].Specs.Ask<SpecStored>(new PutClusterSpec(poolId, cluster, new Decider.ClusterSpec(region, priority), 1, "test"),
                TimeSpan.FromSeconds(5))).Ok, TimeSpan.FromSeconds(30), $"spec of {cluster} stored"); // a replicated write: slow under load
        await Until(async () =>
        {
            foreach (var n in nodes)
                if (!(await n.Specs.Ask<PoolSpecs>(new GetPoolSpecs(poolId), TimeSpan.FromSeconds(1))).Known) return false;
            return true;
        }, TimeSpan.FromSeconds(10), "specs replicated");
    }
}
