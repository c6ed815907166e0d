using Akka.Cluster.Hosting;
using Akka.Cluster.Tools.PublishSubscribe;
using Akka.Hosting;
using Forge.Arbiter;
using Forge.Cluster;
using Forge.Grants;
using Forge.Health;
using Forge.Nodes;
using Forge.Specs;

namespace Forge.Coordinator.Hosting;

/// <summary>The ForgeArbiter cluster singleton on role <c>coordinator</c> (registry key <see cref="ForgeArbiter"/> is
/// the proxy; ask it <see cref="GetPoolState"/>). It proposes through the grant port (<see cref="ForgeGrantsHosting"/>).</summary>
public static class ForgeArbiterHosting
{
    public const string SingletonName = "forge-arbiter";

    public static AkkaConfigurationBuilder AddForgeArbiter(this AkkaConfigurationBuilder builder, ForgeConfiguration fc, IHealthProbe probe) =>
        builder
            .WithSingleton<ForgeArbiter>(SingletonName,
                (system, registry, _) => ForgeArbiter.Props(fc.Arbiter, fc.Decider,
                    registry.Get<NodeEntity>(), registry.Get<SpecStore>(), registry.Get<GrantPortKey>(),
                    DistributedPubSub.Get(system).Mediator, probe, fc.Health),
                new ClusterSingletonOptions { Role = ClusterRoles.Coordinator })
            // On every coordinator: proposes failovers through the grant module while the singleton is missing.
            .WithActors((system, registry) => registry.Register<FailoverWatch>(system.ActorOf(
                FailoverWatch.Props(registry.Get<GrantProposerActor>(), registry.Get<NodeEntity>(),
                    DistributedPubSub.Get(system).Mediator, fc.Arbiter, fc.Grants), "forge-failover-watch")));
}
