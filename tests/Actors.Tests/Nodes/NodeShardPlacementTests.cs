using System.Collections.Immutable;
using Akka.Actor;
using Akka.TestKit.Xunit2;
using Forge.Nodes;
using Forge.Protocol;
using Xunit;

namespace Forge.Tests.Nodes;

/// <summary>Node shards hold one cluster each and stay where they were first asked for (the node's own region).</summary>
public sealed class NodeShardPlacementTests : TestKit
{
    private static readonly string[] Clusters = ["us-east-1-prod", "us-west-2-prod", "eu-west-1-prod"];

    [Fact]
    public void A_shard_holds_nodes_of_one_cluster_and_every_message_of_a_node_goes_to_its_shard()
    {
        var extractor = new NodeMessageExtractor(4);
        var shards = Clusters.SelectMany(c => Enumerable.Range(0, 50).Select(i => (Cluster: c, Shard: extractor.ShardId($"{c}/cardano-bp-{i}"))))
            .ToList();
        Assert.All(shards, s => Assert.StartsWith(s.Cluster + "#", s.Shard, StringComparison.Ordinal));
        Assert.All(shards, s => Assert.InRange(int.Parse(s.Shard[(s.Shard.IndexOf('#') + 1)..], System.Globalization.CultureInfo.InvariantCulture), 0, 3));
        Assert.Equal(12, shards.Select(s => s.Shard).Distinct().Count()); // 50 pods per cluster reach all 4 shards
        var node = new NodeId("us-west-2-prod", "cardano-bp-1");
        var register = new RegisterAgent(1, "p", node, "us-west-2", Guid.NewGuid(), new CredentialFingerprint("h", 1, 2, 3), AgentMode.Cluster);
        Assert.Equal((node.ToString(), extractor.ShardId(node.ToString())), (extractor.EntityId(register), extractor.ShardId(register)));
        Assert.Null(extractor.ShardId((object)"not a node message"));
    }

    [Fact]
    public void The_shard_of_a_node_does_not_depend_on_the_process()
    {
        // string.GetHashCode is randomised per process, and every coordinator must agree on a node's shard: these values
        // were computed once, in another process, and must never change (MurmurHash is a fixed function)
        var extractor = new NodeMessageExtractor(4);
        Assert.Equal(["us-east-1-prod#3", "us-east-1-prod#3", "us-east-1-prod#3", "us-east-1-prod#1", "us-east-1-prod#2", "us-east-1-prod#2", "us-east-1-prod#3", "us-east-1-prod#3"],
            Enumerable.Range(0, 8).Select(i => extractor.ShardId($"us-east-1-prod/cardano-bp-{i}")));
    }

    [Fact]
    public async Task A_shard_goes_to_a_region_of_its_own_cluster_and_is_moved_home_when_one_is_back()
    {
        var east = CreateTestProbe().Ref;
        var west = CreateTestProbe().Ref;
        var eu = CreateTestProbe().Ref;
        var unnamed = CreateTestProbe().Ref; // a coordinator without forge.coordinator.cluster-name
        var clusters = new Dictionary<IActorRef, string> { [east] = "us-east-1-prod", [west] = "us-west-2-prod", [eu] = "eu-west-1-prod" };
        var settled = true;
        var strategy = new HomeRegionAllocation(r => clusters.GetValueOrDefault(r), () => settled);
        var current = ImmutableDictionary<IActorRef, IImmutableList<string>>.Empty
            .Add(east, ImmutableList.Create("us-east-1-prod#0", "eu-west-1-prod#0"))
            .Add(west, ImmutableList<string>.Empty)
            .Add(unnamed, ImmutableList<string>.Empty);

        // eu's own region is down: its shard went to the requester (the arbiter's host, east); the home is preferred
        // over a requester elsewhere, whatever the load
        Assert.Same(east, await strategy.AllocateShard(west, "us-east-1-prod#1", current));
        Assert.Same(east, await strategy.AllocateShard(east, "eu-west-1-prod#1", current));
        // no home and a requester that is not a region here: the least loaded
        Assert.Same(west, await strategy.AllocateShard(CreateTestProbe().Ref, "eu-west-1-prod#2", current));
        Assert.Empty(await strategy.Rebalance(current, ImmutableHashSet<string>.Empty)); // nothing is away from a home that is up

        // eu is back: its shard on east goes home (not one already moving), and is allocated there
        var back = current.Add(eu, ImmutableList<string>.Empty);
        settled = false; // but a member is unreachable: a handoff now would wait for it
        Assert.Empty(await strategy.Rebalance(back, ImmutableHashSet<string>.Empty));
        settled = true;
        Assert.Equal(["eu-west-1-prod#0"], await strategy.Rebalance(back, ImmutableHashSet<string>.Empty));
        Assert.Empty(await strategy.Rebalance(back, ImmutableHashSet.Create("eu-west-1-prod#0")));
        Assert.Same(eu, await strategy.AllocateShard(east, "eu-west-1-prod#0", back));
    }

    [Fact]
    public async Task Without_cluster_roles_a_shard_goes_to_the_region_that_asked_for_it_and_is_never_moved()
    {
        var east = CreateTestProbe().Ref;
        var west = CreateTestProbe().Ref;
        var current = ImmutableDictionary<IActorRef, IImmutableList<string>>.Empty
            .Add(east, ImmutableList.Create("us-east-1-prod#0", "us-east-1-prod#1"))
            .Add(west, ImmutableList<string>.Empty);
        var strategy = new HomeRegionAllocation(_ => null);
        Assert.Same(east, await strategy.AllocateShard(east, "us-east-1-prod#2", current)); // busiest, but it asked
        Assert.Same(west, await strategy.AllocateShard(CreateTestProbe().Ref, "us-west-2-prod#0", current));
        Assert.Empty(await strategy.Rebalance(current, ImmutableHashSet<string>.Empty));
    }
}
