using Akka.Actor;
using Akka.Cluster;
using Akka.Cluster.Tools.PublishSubscribe;
using Akka.Configuration;
using Forge.Arbiter;
using Forge.Cluster;
using Forge.Grants;
using Forge.Coordinator.Hosting;

namespace Forge.Coordinator.Tests.MultiNode;

/// <summary>
/// The grant module of one in-process coordinator, wired as <see cref="ForgeGrantsHosting"/> and
/// <see cref="ForgeArbiterHosting"/> wire it: this region's replica (in memory: the test process is its disk), a
/// proposer behind the arbiter's grant port, the renewal batcher, and the failover watch. Replicas are found by role
/// and region in the membership, remembered once seen (so a downed region's replica stays addressed, and unreachable).
/// </summary>
public static class RealGrantModule
{
    public const string ReplicaRole = ForgeGrantsHosting.ReplicaRole;

    public sealed record Wired(IActorRef Port, IActorRef Renewals, IActorRef Proposer);

    public static Wired Start(ActorSystem system, Config config, string region, string coordinatorId, IActorRef nodes, ArbiterSettings arbiter)
    {
        var settings = GrantSettings.FromConfig(config);
        var replicas = ForgeGrantsHosting.Directory(system, new Dictionary<string, string>()); // found by role and region
        var store = new MemoryReplicaStore();
        store.Save(ReplicaState.NeverVoted, TimeSpan.Zero); // a new deployment: no amnesia wait before the first term
        system.ActorOf(GrantReplicaActor.Props(settings, region, store, replicas, StopwatchClock.Instance), GrantReplicaActor.Name);
        var proposer = system.ActorOf(GrantProposerActor.Props(settings, coordinatorId, replicas), "grant-proposer");
        var port = system.ActorOf(GrantProposerPort.Props(proposer), "forge-grant-port");
        var renewals = system.ActorOf(RenewalBatcherActor.Props(settings, replicas), "grant-renewals");
        system.ActorOf(FailoverWatch.Props(proposer, nodes, DistributedPubSub.Get(system).Mediator, arbiter, settings), "forge-failover-watch");
        return new Wired(port, renewals, proposer);
    }
}
