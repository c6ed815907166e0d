using Akka.Actor;
using Akka.Hosting;
using Forge.Arbiter;
using Forge.Cluster;
using Prometheus;

namespace Forge.Coordinator.Metrics;

/// <summary>
/// The coordinator's own Prometheus series (prefix <c>forge_coordinator_</c>; the guide's cardano_cluster_* and
/// cardano_leader_* series are the agents' to export). Membership gauges are read from the cluster state at scrape
/// time; split-brain decisions, refused coordinators, decision latency and grant states come from the local EventStream
/// (the last two only on the coordinator hosting the arbiter, so sums across coordinators stay true).
/// </summary>
public sealed class CoordinatorMetrics
{
    private readonly CollectorRegistry _registry = Prometheus.Metrics.NewCustomRegistry();
    private readonly Gauge _members;
    private readonly Gauge _unreachable;
    private readonly Gauge _arbiterHost;
    private readonly Gauge _arbiterLocal;
    private readonly Counter _splitBrain;
    private readonly Counter _refused;
    private readonly Gauge _grants;
    private readonly Histogram _decisionLatency;
    private volatile ActorSystem? _system;

    public CoordinatorMetrics()
    {
        var f = Prometheus.Metrics.WithCustomRegistry(_registry);
        _members = f.CreateGauge("forge_coordinator_cluster_members", "Cluster members by status and role, as this coordinator sees them.",
            new GaugeConfiguration { LabelNames = ["status", "role"] });
        _unreachable = f.CreateGauge("forge_coordinator_cluster_unreachable_members", "Members seen unreachable by at least one member.");
        _arbiterHost = f.CreateGauge("forge_coordinator_arbiter_host", "1 for the member that hosts the ForgeArbiter singleton (oldest coordinator).",
            new GaugeConfiguration { LabelNames = ["address", "region"] });
        _arbiterLocal = f.CreateGauge("forge_coordinator_arbiter_local", "1 when this coordinator hosts the ForgeArbiter singleton.");
        _splitBrain = f.CreateCounter("forge_coordinator_split_brain_decisions_total", "Split-brain decisions this coordinator acted on.",
            new CounterConfiguration { LabelNames = ["decision"] });
        _refused = f.CreateCounter("forge_coordinator_coordinators_refused_total", "Coordinators refused at join (region list mismatch).");
        _grants = f.CreateGauge("forge_coordinator_pools_by_grant_state", "Pools by grant state (granted, none, revoking, proposing); arbiter host only.",
            new GaugeConfiguration { LabelNames = ["state"] });
        _decisionLatency = f.CreateHistogram("forge_coordinator_decision_latency_seconds", "Time to decide one pool and plan its next step.",
            new HistogramConfiguration { Buckets = Histogram.ExponentialBuckets(0.00005, 4, 8) });
        _registry.AddBeforeCollectCallback(Collect);
    }

    public CollectorRegistry Registry => _registry;

    internal void Attach(ActorSystem system) => _system = system;

    internal void OnSplitBrain(SplitBrainDecisionMade d) => _splitBrain.WithLabels(d.Kind.ToString()).Inc();
    internal void OnRefused() => _refused.Inc();
    internal void OnDecision(ArbiterDecisionMeasured d) => _decisionLatency.Observe(d.Latency.TotalSeconds);

    internal void OnGrantStates(ArbiterGrantStates s)
    {
        foreach (var state in new[] { "granted", "none", "revoking", "proposing" })
            _grants.WithLabels(state).Set(s.PoolsByState.GetValueOrDefault(state));
    }

    private void Collect()
    {
        if (_system is not { } system) return;
        var snapshot = ClusterMembersView.Of(Akka.Cluster.Cluster.Get(system));
        foreach (var labels in _members.GetAllLabelValues().ToList()) _members.RemoveLabelled(labels);
        foreach (var g in snapshot.Members.SelectMany(m => m.Roles.Select(r => (m.Status, Role: r))).GroupBy(x => x))
            _members.WithLabels(g.Key.Status, g.Key.Role).Set(g.Count());
        _unreachable.Set(snapshot.Members.Count(m => m.Reachability == "unreachable"));
        foreach (var labels in _arbiterHost.GetAllLabelValues().ToList()) _arbiterHost.RemoveLabelled(labels);
        var host = snapshot.Members.FirstOrDefault(m => m.Oldest);
        if (host is not null) _arbiterHost.WithLabels(host.Address, host.Region ?? "").Set(1);
        _arbiterLocal.Set(host?.Self == true ? 1 : 0);
    }
}

/// <summary>Feeds <see cref="CoordinatorMetrics"/> from the local EventStream.</summary>
public sealed class MetricsListener : ReceiveActor
{
    public static Props Props(CoordinatorMetrics metrics) => Akka.Actor.Props.Create(() => new MetricsListener(metrics));

    public MetricsListener(CoordinatorMetrics metrics)
    {
        Receive<SplitBrainDecisionMade>(metrics.OnSplitBrain);
        Receive<CoordinatorRefused>(_ => metrics.OnRefused());
        Receive<ArbiterDecisionMeasured>(metrics.OnDecision);
        Receive<ArbiterGrantStates>(metrics.OnGrantStates);
    }

    protected override void PreStart()
    {
        var es = Context.System.EventStream;
        es.Subscribe(Self, typeof(SplitBrainDecisionMade));
        es.Subscribe(Self, typeof(CoordinatorRefused));
        es.Subscribe(Self, typeof(ArbiterDecisionMeasured));
        es.Subscribe(Self, typeof(ArbiterGrantStates));
    }
}

public static class ForgeMetricsHosting
{
    public static AkkaConfigurationBuilder AddForgeMetrics(this AkkaConfigurationBuilder builder, CoordinatorMetrics metrics) =>
        builder.WithActors((system, registry) =>
        {
            metrics.Attach(system);
            registry.Register<MetricsListener>(system.ActorOf(MetricsListener.Props(metrics), "forge-metrics"));
        });
}
