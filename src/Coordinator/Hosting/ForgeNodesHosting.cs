using Akka.Actor;
using Akka.Cluster.Hosting;
using Akka.Cluster.Sharding;
using Akka.Hosting;
using Forge.Arbiter;
using Forge.Cluster;
using Forge.Nodes;
using Forge.Protocol;
using Forge.Specs;

namespace Forge.Coordinator.Hosting;

/// <summary>Node entities: Cluster.Sharding type "forge-node", one entity per &lt;cluster&gt;/&lt;pod&gt;,
/// remember-entities off (registry key <see cref="NodeEntity"/> is the shard region).</summary>
public static class ForgeNodesHosting
{
    public const string TypeName = "forge-node";

    public static AkkaConfigurationBuilder AddForgeNodes(this AkkaConfigurationBuilder builder, ForgeConfiguration fc) =>
        builder.WithShardRegion<NodeEntity>(TypeName,
            (system, registry, _) =>
            {
                var specs = registry.Get<SpecStore>();
                // The arbiter proxy is registered after the region (the arbiter needs the region): resolve it per entity.
                return entityId => NodeEntity.Props(NodeId.Parse(entityId), fc.Nodes, registry.Get<ForgeArbiter>(), specs, fc.CoordinatorId);
            },
            new NodeMessageExtractor(fc.Nodes.NumberOfShards),
            new ShardOptions
            {
                Role = ClusterRoles.Coordinator,
                RememberEntities = false,
                StateStoreMode = StateStoreMode.DData,
            });
}
