using Akka.Actor;
using Akka.Cluster.Sharding;
using Akka.Hosting;
using Forge.Arbiter;
using Forge.Cluster;
using Forge.Nodes;
using Forge.Protocol;
using Forge.Specs;

namespace Forge.Coordinator.Hosting;

/// <summary>Node entities: Cluster.Sharding type "forge-node", one entity per &lt;cluster&gt;/&lt;pod&gt;, shards per
/// cluster kept in that cluster's own region (<see cref="HomeRegionAllocation"/>), remember-entities off (registry key <see cref="NodeEntity"/> is the shard region). Started through
/// ClusterSharding directly: Akka.Hosting's WithShardRegion takes no allocation strategy.</summary>
public static class ForgeNodesHosting
{
    public const string TypeName = "forge-node";

    public static AkkaConfigurationBuilder AddForgeNodes(this AkkaConfigurationBuilder builder, ForgeConfiguration fc) =>
        builder.WithActors(async (system, registry) =>
        {
            var specs = registry.Get<SpecStore>();
            var settings = ClusterShardingSettings.Create(system)
                .WithRole(ClusterRoles.Coordinator)
                .WithRememberEntities(false)
                .WithStateStoreMode(StateStoreMode.DData);
            var extractor = new NodeMessageExtractor(fc.Nodes.NumberOfShards);
            // The arbiter proxy is registered after the region (the arbiter needs the region): resolve it per entity.
            var region = await ClusterSharding.Get(system).StartAsync(TypeName,
                entityId => NodeEntity.Props(NodeId.Parse(entityId), fc.Nodes, registry.Get<ForgeArbiter>(), specs, fc.CoordinatorId),
                settings, extractor, new HomeRegionAllocation(ClusterOfRegion(system), NoneUnreachable(system)), Akka.Actor.PoisonPill.Instance);
            registry.Register<NodeEntity>(region);
        });

    /// <summary>No member is unreachable from this one (the shard coordinator's view).</summary>
    public static Func<bool> NoneUnreachable(ActorSystem system)
    {
        var cluster = Akka.Cluster.Cluster.Get(system);
        return () => cluster.State.Unreachable.Count == 0;
    }

    /// <summary>The cluster role of the member a shard region runs on (a local ref's address has no host: this member).</summary>
    public static Func<IActorRef, string?> ClusterOfRegion(ActorSystem system)
    {
        var cluster = Akka.Cluster.Cluster.Get(system);
        return region =>
        {
            var address = region.Path.Address.HasLocalScope ? cluster.SelfAddress : region.Path.Address;
            return cluster.State.Members.FirstOrDefault(m => m.Address == address) is { } member ? ClusterRoles.ClusterOf(member.Roles) : null;
        };
    }
}
