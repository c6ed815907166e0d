using Akka.Cluster.Hosting;
using Akka.Hosting;
using Akka.Remote.Hosting;
using Forge.Cluster;

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

    private static string Quoted(string key, IEnumerable<string> values) =>
        $"{key} = [{string.Join(", ", values.Select(v => "\"" + v.Replace("\\", "\\\\").Replace("\"", "\\\"") + "\""))}]";
}
