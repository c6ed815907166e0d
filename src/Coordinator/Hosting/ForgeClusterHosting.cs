using System.Collections.Immutable;
using Akka.Actor;
using Akka.Cluster.Hosting;
using Akka.Hosting;
using Akka.Remote.Hosting;
using Forge.Cluster;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Forge.Coordinator.Hosting;

/// <summary>Remoting (mutual TLS when configured), clustering with the forge roles and seeds, region-majority
/// downing (from hocon/cluster.conf), the join-time region-list check, DistributedPubSub, and the health checks.</summary>
public static class ForgeClusterHosting
{
    public static AkkaConfigurationBuilder AddForgeCluster(this AkkaConfigurationBuilder builder, ForgeConfiguration fc)
    {
        var c = fc.Coordinator;
        builder.WithRemoting(new RemoteOptions
        {
            HostName = c.Hostname,
            PublicHostName = c.PublicHostname,
            Port = c.RemotePort,
            EnableSsl = fc.Tls.Enabled ? true : null,
        });
        if (fc.Tls.Enabled) builder.AddSetup(fc.Tls.CreateSetup());
        // Roles and seeds go in as quoted HOCON: Akka.Cluster.Hosting writes roles unquoted, and "region:x" has a colon.
        builder.WithClustering(new ClusterOptions());
        var roles = fc.Coordinator.GrantReplica ? fc.Cluster.Roles.Add(ForgeGrantsHosting.ReplicaRole) : fc.Cluster.Roles;
        builder.AddHocon(Quoted("akka.cluster.roles", roles) + "\n" + Quoted("akka.cluster.seed-nodes", c.SeedNodes),
            HoconAddMode.Prepend);
        builder.WithDistributedPubSub(ClusterRoles.Coordinator);
        builder.WithActors((system, registry) =>
        {
            registry.Register<RegionListGuard>(system.ActorOf(RegionListGuard.Props(fc.Cluster), "forge-region-list-guard"));
        });
        builder.WithActorSystemLivenessCheck();
        builder.WithAkkaClusterReadinessCheck();
        return builder;
    }

    /// <summary>The singleton watchdog on every coordinator (<c>/user/forge-singleton-watchdog</c>) and its liveness check:
    /// <c>/alive</c> turns unhealthy once it has asked for a restart (see <see cref="SingletonWatchdogDecider"/>).</summary>
    public static AkkaConfigurationBuilder AddForgeSingletonWatchdog(this AkkaConfigurationBuilder builder, ForgeConfiguration fc,
        bool projection)
    {
        var watched = WatchedSingletons(fc.Cluster.Region, projection);
        builder.WithActors((system, registry) =>
            registry.Register<SingletonWatchdog>(system.ActorOf(SingletonWatchdog.Props(fc.Watchdog, watched), "forge-singleton-watchdog")));
        builder.WithHealthCheck("forge-singletons", async (_, registry, ct) =>
        {
            var watchdog = await registry.GetAsync<SingletonWatchdog>(ct);
            var s = await watchdog.Ask<SingletonWatchdogStatus>(GetSingletonWatchdogStatus.Instance, TimeSpan.FromSeconds(3), ct);
            return s.Fired ? HealthCheckResult.Unhealthy(s.Reason)
                : s.Kind == WatchdogVerdictKind.Waiting ? HealthCheckResult.Degraded(s.Reason)
                : HealthCheckResult.Healthy(s.Reason);
        }, tags: ["liveness"]);
        return builder;
    }

    /// <summary>The singletons a coordinator must host when it is the oldest with their role: the arbiter, the node
    /// sharding coordinator, and (when this region projects CRD status) the region's projection.</summary>
    public static ImmutableArray<WatchedSingleton> WatchedSingletons(string region, bool projection)
    {
        var arbiter = ForgeArbiterHosting.SingletonName;
        var shards = ForgeNodesHosting.TypeName + "Coordinator";
        var list = ImmutableArray.CreateBuilder<WatchedSingleton>();
        list.Add(new(arbiter, $"/user/{arbiter}/{arbiter}", ClusterRoles.Coordinator));
        list.Add(new(shards, $"/system/sharding/{shards}/singleton/coordinator", ClusterRoles.Coordinator));
        var crd = ForgeProjectionHosting.SingletonName(region);
        if (projection) list.Add(new(crd, $"/user/{crd}/{crd}", ClusterRoles.RegionRole(region)));
        return list.ToImmutable();
    }

    private static string Quoted(string key, IEnumerable<string> values) =>
        $"{key} = [{string.Join(", ", values.Select(v => "\"" + v.Replace("\\", "\\\\").Replace("\"", "\\\"") + "\""))}]";
}
