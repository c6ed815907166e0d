using System.Collections.Concurrent;
using Akka.Actor;
using Akka.Cluster;
using Akka.Event;
using Akka.Hosting;
using Forge.Arbiter;
using Forge.Cluster;
using Forge.Grants;
using Forge.PodFence;

namespace Forge.Coordinator.Hosting;

/// <summary>
/// The grant module (src/Actors/Grants) on this coordinator: the region's replica if this is the pinned pod
/// (<c>forge.coordinator.grant-replica</c>), a proposer (the arbiter proposes through it, via
/// <see cref="GrantProposerPort"/>), and the renewal batcher agent links send GrantRequest/Renew/Released to.
/// </summary>
public static class ForgeGrantsHosting
{
    public const string ReplicaRole = "grant-replica";

    /// <param name="podFence">This region's Kubernetes API for the pod fence, or null when none is configured.</param>
    public static AkkaConfigurationBuilder AddForgeGrants(this AkkaConfigurationBuilder builder, ForgeConfiguration fc,
        IPodFenceApi? podFence = null) =>
        builder.WithActors((system, registry) =>
        {
            var replicas = Directory(system, fc);
            if (fc.Coordinator.GrantReplica)
            {
                var store = new FileReplicaStore(fc.Grants.DataDirectory);
                var replica = system.ActorOf(GrantReplicaActor.Props(fc.Grants, fc.Cluster.Region, store, replicas, StopwatchClock.Instance)
                    .WithDispatcher("forge-grant-replica-dispatcher"), GrantReplicaActor.Name);
                StartPodFence(system, fc, replica, podFence);
            }
            var proposer = system.ActorOf(GrantProposerActor.Props(fc.Grants, fc.CoordinatorId, replicas), "grant-proposer");
            registry.Register<GrantProposerActor>(proposer);
            registry.Register<GrantPortKey>(system.ActorOf(GrantProposerPort.Props(proposer), "forge-grant-port"));
            registry.Register<RenewalsKey>(system.ActorOf(RenewalBatcherActor.Props(fc.Grants, replicas), "grant-renewals"));
        });

    /// <summary>The pod fence next to the region's replica (it asks the local replica, which sees the holder's renewals
    /// first), only with a Kubernetes API and this coordinator's cluster name; otherwise says once why it is off.</summary>
    private static void StartPodFence(ActorSystem system, ForgeConfiguration fc, IActorRef replica, IPodFenceApi? api)
    {
        var off = !fc.PodFence.Enabled ? "forge.pod-fence.enabled = off"
            : api is null ? "no Kubernetes API configured (forge.projection.kubeconfig / api-url, or in-cluster)"
            : fc.Coordinator.ClusterName.Length == 0 ? "forge.coordinator.cluster-name is not set"
            : null;
        if (off is not null || api is null)
        {
            system.Log.Warning("pod fencing is off in region {0}: {1}; a frozen forger's pod is not killed", fc.Cluster.Region, off);
            return;
        }
        system.ActorOf(PodFenceActor.Props(replica, api, fc.Coordinator.ClusterName, fc.PodFence, StopwatchClock.Instance), PodFenceActor.Name);
        system.Log.Info("pod fencing on in region {0}: pods of cluster {1} whose term is quiet for {2} x TTL are deleted", fc.Cluster.Region,
            fc.Coordinator.ClusterName, fc.PodFence.QuietFraction);
    }

    /// <summary>Region → that region's replica: configured address first, else the member with role grant-replica in
    /// the region (remembered once seen, so downing does not make a region's replica unknown).</summary>
    public static ReplicaDirectory Directory(ActorSystem system, ForgeConfiguration fc) =>
        Directory(system, fc.Coordinator.ReplicaAddresses);

    /// <param name="configured">Region → replica address from configuration (those regions are never looked up).</param>
    public static ReplicaDirectory Directory(ActorSystem system, IReadOnlyDictionary<string, string> configured)
    {
        var known = new ConcurrentDictionary<string, Address>(StringComparer.Ordinal);
        foreach (var (region, text) in configured) known[region] = Address.Parse(text);
        var cluster = Akka.Cluster.Cluster.Get(system);
        return region =>
        {
            if (!configured.ContainsKey(region))
            {
                var member = cluster.State.Members.FirstOrDefault(m => m.HasRole(ReplicaRole) && ClusterRoles.RegionOf(m.Roles) == region
                    && m.Status is MemberStatus.Up or MemberStatus.Leaving or MemberStatus.Joining or MemberStatus.WeaklyUp);
                if (member is not null) known[region] = member.Address;
            }
            return known.TryGetValue(region, out var address)
                ? system.ActorSelection(new RootActorPath(address) / "user" / GrantReplicaActor.Name)
                : system.DeadLetters;
        };
    }
}
