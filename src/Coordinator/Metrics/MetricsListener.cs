using Akka.Actor;
using Akka.Cluster.Tools.PublishSubscribe;
using Akka.Hosting;
using Forge.Arbiter;
using Forge.Cluster;
using Forge.Coordinator.Hosting;
using Forge.Grants;
using Forge.Health;
using Forge.Kubernetes;
using Forge.PodFence;

namespace Forge.Coordinator.Metrics;

/// <summary>
/// Feeds <see cref="CoordinatorMetrics"/> from the local EventStream and from the arbiter's pool-state topic. The topic
/// reaches every coordinator; the mediator forwards with the arbiter as sender, so a local sender means this
/// coordinator hosts the arbiter (it exports the arbiter's series) and a remote one means it does not (it drops them).
/// </summary>
public sealed class MetricsListener : ReceiveActor
{
    private readonly IActorRef? _mediator;

    /// <param name="mediator">DistributedPubSub mediator, or null (tests: send <see cref="PoolStateChanged"/> directly).</param>
    public static Props Props(CoordinatorMetrics metrics, IActorRef? mediator) =>
        Akka.Actor.Props.Create(() => new MetricsListener(metrics, mediator));

    public MetricsListener(CoordinatorMetrics metrics, IActorRef? mediator)
    {
        _mediator = mediator;
        Receive<SplitBrainDecisionMade>(metrics.OnSplitBrain);
        Receive<CoordinatorRefused>(_ => metrics.OnRefused());
        Receive<RemoteTlsHandshakeFailed>(metrics.OnTlsHandshakeFailed);
        Receive<LivenessWatchdogFired>(metrics.OnWatchdogFired);
        Receive<LivenessWatchdogSuspicion>(metrics.OnWatchdogSuspicion);
        Receive<ArbiterDecisionMeasured>(metrics.OnDecision);
        Receive<ArbiterGrantStates>(metrics.OnGrantStates);
        Receive<GrantQuorumReachability>(metrics.OnQuorum);
        Receive<CrdClusterTracked>(metrics.OnCrdTracked);
        Receive<CrdStatusSynced>(metrics.OnCrdSynced);
        Receive<CrdClusterUntracked>(metrics.OnCrdUntracked);
        Receive<HealthProbeCompleted>(metrics.OnHealthProbe);
        Receive<PodFenceCompleted>(metrics.OnPodFence);
        Receive<PoolStateChanged>(c =>
        {
            if (FromLocalActor(Sender)) metrics.OnLocalArbiterState(c.State);
            else metrics.OnRemoteArbiterState();
        });
        Receive<SubscribeAck>(_ => { });
    }

    private bool FromLocalActor(IActorRef sender) =>
        !sender.IsNobody() && !sender.Equals(Context.System.DeadLetters) && sender.Path.Address.HasLocalScope;

    protected override void PreStart()
    {
        var es = Context.System.EventStream;
        foreach (var t in new[]
                 {
                     typeof(SplitBrainDecisionMade), typeof(CoordinatorRefused), typeof(LivenessWatchdogFired), typeof(LivenessWatchdogSuspicion), typeof(ArbiterDecisionMeasured), typeof(ArbiterGrantStates),
                     typeof(GrantQuorumReachability), typeof(CrdClusterTracked), typeof(CrdStatusSynced), typeof(CrdClusterUntracked),
                     typeof(HealthProbeCompleted), typeof(RemoteTlsHandshakeFailed), typeof(PodFenceCompleted),
                 })
            es.Subscribe(Self, t);
        _mediator?.Tell(new Subscribe(ArbiterTopics.PoolState, Self));
    }
}

public static class ForgeMetricsHosting
{
    /// <summary>The listener, and the grant quorum probe (one round per grant TTL: forging stops within one TTL of
    /// losing the quorum, so a coarser probe would report it late).</summary>
    public static AkkaConfigurationBuilder AddForgeMetrics(this AkkaConfigurationBuilder builder, CoordinatorMetrics metrics,
        ForgeConfiguration fc) =>
        builder.WithActors((system, registry) =>
        {
            metrics.Attach(system, fc.Cluster.Region);
            registry.Register<MetricsListener>(system.ActorOf(
                MetricsListener.Props(metrics, DistributedPubSub.Get(system).Mediator), "forge-metrics"));
            system.ActorOf(GrantQuorumProbe.Props(fc.Grants, ForgeGrantsHosting.Directory(system, fc), fc.Grants.Ttl), "grant-quorum-probe");
        });
}
