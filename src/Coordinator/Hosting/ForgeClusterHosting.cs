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
        });
        if (fc.Tls.Enabled)
        {
            // Our transport, not Akka's enable-ssl: a failed outbound handshake must fail the association, not exit the
            // process (RemoteTlsTransport). It takes hostname and port from the section WithRemoting writes.
            builder.AddSetup(fc.Tls.CreateTransportSetup());
            builder.AddHocon(RemoteTlsTransport.EnableHocon, HoconAddMode.Prepend);
        }
        // Roles and seeds go in as quoted HOCON: Akka.Cluster.Hosting writes roles unquoted, and "region:x" has a colon.
        builder.WithClustering(new ClusterOptions());
        var roles = fc.Coordinator.GrantReplica ? fc.Cluster.Roles.Add(ForgeGrantsHosting.ReplicaRole) : fc.Cluster.Roles;
        if (fc.Coordinator.ClusterName.Length > 0) roles = roles.Add(ClusterRoles.ClusterRole(fc.Coordinator.ClusterName));
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

    /// <summary>The liveness watchdog on every coordinator (<c>/user/forge-liveness-watchdog</c>) and its liveness check:
    /// <c>/alive</c> turns unhealthy once it has asked for a restart (see <see cref="SingletonWatchdogDecider"/> and
    /// <see cref="MinorityClusterDecider"/>).</summary>
    public static AkkaConfigurationBuilder AddForgeLivenessWatchdog(this AkkaConfigurationBuilder builder, ForgeConfiguration fc,
        bool projection)
    {
        var watched = WatchedSingletons(fc.Cluster.Region, projection);
        builder.WithActors((system, registry) =>
            registry.Register<LivenessWatchdog>(system.ActorOf(LivenessWatchdog.Props(fc.Watchdog, watched, fc.Cluster.Regions), "forge-liveness-watchdog")));
        // Also a responsiveness check: an actor system that does not answer a local Ask within 3 s fails /alive (the
        // liveness probe restarts it after failureThreshold x period), as a hung coordinator would otherwise stay "alive".
        builder.WithHealthCheck("forge-singletons", async (_, registry, ct) =>
        {
            if (!registry.TryGet<LivenessWatchdog>(out var watchdog)) return HealthCheckResult.Healthy("starting");
            var s = await watchdog.Ask<LivenessWatchdogStatus>(GetLivenessWatchdogStatus.Instance, TimeSpan.FromSeconds(3), ct);
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
