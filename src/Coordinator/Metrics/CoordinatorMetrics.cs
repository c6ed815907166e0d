using Akka.Actor;
using Forge.Arbiter;
using Forge.Cluster;
using Forge.Decider;
using Forge.Grants;
using Forge.Health;
using Forge.Kubernetes;
using Forge.PodFence;
using Prometheus;

namespace Forge.Coordinator.Metrics;

/// <summary>
/// The coordinator's own Prometheus series (prefix <c>forge_coordinator_</c>; the guide's cardano_cluster_* and
/// cardano_leader_* series are the agents' to export). Membership gauges are read from the cluster state at scrape
/// time; everything else is fed by <see cref="MetricsListener"/> from facts published where they happen. Series about
/// the arbiter's decisions (grant states, effective state, overrides, transitions, health probes) exist only on the
/// coordinator hosting the arbiter, so sums across coordinators stay true; the CRD sync series only where the region's
/// projection runs.
/// </summary>
public sealed class CoordinatorMetrics
{
    private static readonly string[] GrantStates = ["granted", "none", "revoking", "proposing"];
    private static readonly string[] ForgeStateTexts = [ForgeStates.PriorityBasedText, ForgeStates.EnabledText, ForgeStates.DisabledText];

    private readonly CollectorRegistry _registry = Prometheus.Metrics.NewCustomRegistry();
    private readonly Gauge _members;
    private readonly Gauge _unreachable;
    private readonly Gauge _arbiterHost;
    private readonly Gauge _arbiterLocal;
    private readonly Counter _splitBrain;
    private readonly Counter _refused;
    private readonly Counter _tlsFailures;
    private readonly Counter _watchdog;
    private readonly Gauge _suspect;
    private readonly Gauge _grants;
    private readonly Histogram _decisionLatency;
    private readonly Gauge _quorum;
    private readonly Gauge _crdSync;
    private readonly Gauge _override;
    private readonly Gauge _effectiveState;
    private readonly Counter _probes;
    private readonly Histogram _probeDuration;
    private readonly Counter _transitions;
    private readonly Counter _podFences;
    private readonly LeadershipTracker _leadership = new();
    private readonly Dictionary<string, HashSet<string>> _poolClusters = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Dictionary<string, Counter.Child>> _transitionSeries = new(StringComparer.Ordinal);
    private volatile ActorSystem? _system;
    private string _region = "";

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
        foreach (var kind in Enum.GetValues<RegionDecisionKind>()) _splitBrain.WithLabels(kind.ToString()); // 0 from the first scrape
        _refused = f.CreateCounter("forge_coordinator_coordinators_refused_total", "Coordinators refused at join (region list mismatch).");
        _tlsFailures = f.CreateCounter("forge_coordinator_remote_tls_handshake_failures_total",
            "Failed TLS handshakes between coordinators (untrusted certificate, peer gone mid-handshake, no answer); only that connection fails.",
            new CounterConfiguration { LabelNames = ["direction"] });
        foreach (var d in new[] { "outbound", "inbound" }) _tlsFailures.WithLabels(d); // 0 from the first scrape
        _watchdog = f.CreateCounter("forge_coordinator_liveness_watchdog_restarts_total",
            "Restarts this coordinator asked for (forge.cluster.liveness-watchdog): a singleton that must run on it did not, or its cluster stayed a minority island.",
            new CounterConfiguration { LabelNames = ["rule"] });
        _suspect = f.CreateGauge("forge_coordinator_liveness_watchdog_suspect",
            "1 while a liveness-watchdog rule holds on this coordinator (it restarts itself if the rule still holds at the rule's bound).",
            new GaugeConfiguration { LabelNames = ["rule"] });
        foreach (var rule in Enum.GetValues<LivenessRule>())
        {
            _watchdog.WithLabels(rule.ToString()); // 0 from the first scrape
            _suspect.WithLabels(rule.ToString()).Set(0);
        }
        _grants = f.CreateGauge("forge_coordinator_pools_by_grant_state", "Pools by grant state (granted, none, revoking, proposing); arbiter host only.",
            new GaugeConfiguration { LabelNames = ["state"] });
        _decisionLatency = f.CreateHistogram("forge_coordinator_decision_latency_seconds", "Time to decide one pool and plan its next step.",
            new HistogramConfiguration { Buckets = Histogram.ExponentialBuckets(0.00005, 4, 8) });
        _quorum = f.CreateGauge("forge_coordinator_grant_quorum_reachable",
            "1 while this coordinator reaches the voting grant replicas of a majority of the configured regions (probed every grant TTL).",
            new GaugeConfiguration { LabelNames = ["region"] });
        _crdSync = f.CreateGauge("forge_coordinator_crd_status_last_sync_timestamp_seconds",
            "Unix time this region's CRD projection last confirmed the cluster's status matches the arbiter's state (until then: when it first saw the cluster).",
            new GaugeConfiguration { LabelNames = ["region", "cluster"] });
        _override = f.CreateGauge("forge_coordinator_override_active", "1 while the cluster's override is in force (enabled, not expired); arbiter host only.",
            new GaugeConfiguration { LabelNames = ["region", "cluster"] });
        _effectiveState = f.CreateGauge("forge_coordinator_cluster_effective_state", "1 on the cluster's effective forge state; arbiter host only.",
            new GaugeConfiguration { LabelNames = ["cluster", "state"] });
        _probes = f.CreateCounter("forge_coordinator_health_probes_total", "Health check probes by outcome; arbiter host only.",
            new CounterConfiguration { LabelNames = ["cluster", "outcome"] });
        _probeDuration = f.CreateHistogram("forge_coordinator_health_probe_duration_seconds", "Health check response time; arbiter host only.",
            new HistogramConfiguration { LabelNames = ["cluster"] });
        _transitions = f.CreateCounter("forge_coordinator_leadership_transitions_total",
            "Forging moved to a node of this cluster (a new holder granted), by reason; arbiter host only.",
            new CounterConfiguration { LabelNames = ["cluster", "reason"] });
        _podFences = f.CreateCounter("forge_pod_fence_total",
            "Pods of a quiet term's holder this coordinator deleted (pod fence), by outcome: confirmed|unconfirmed|failed|conflict|gone; grant-replica host only.",
            new CounterConfiguration { LabelNames = ["cluster", "pod", "outcome"] });
        _registry.AddBeforeCollectCallback(Collect);
    }

    public CollectorRegistry Registry => _registry;

    /// <summary>Starts the scrape-time series; <paramref name="region"/> labels this coordinator's own series.</summary>
    internal void Attach(ActorSystem system, string region)
    {
        _region = region;
        _quorum.WithLabels(region).Set(0); // not reached until the first probe round says so
        _system = system;
    }

    internal void OnSplitBrain(SplitBrainDecisionMade d) => _splitBrain.WithLabels(d.Kind.ToString()).Inc();
    internal void OnRefused() => _refused.Inc();
    internal void OnTlsHandshakeFailed(RemoteTlsHandshakeFailed f) => _tlsFailures.WithLabels(f.Outbound ? "outbound" : "inbound").Inc();
    internal void OnWatchdogFired(LivenessWatchdogFired f) => _watchdog.WithLabels(f.Rule.ToString()).Inc();
    internal void OnWatchdogSuspicion(LivenessWatchdogSuspicion s) => _suspect.WithLabels(s.Rule.ToString()).Set(s.Suspect ? 1 : 0);
    internal void OnDecision(ArbiterDecisionMeasured d) => _decisionLatency.Observe(d.Latency.TotalSeconds);

    internal void OnGrantStates(ArbiterGrantStates s)
    {
        foreach (var state in GrantStates)
            _grants.WithLabels(state).Set(s.PoolsByState.GetValueOrDefault(state));
    }

    internal void OnQuorum(GrantQuorumReachability r) => _quorum.WithLabels(_region).Set(r.Reachable ? 1 : 0);

    internal void OnCrdTracked(CrdClusterTracked t)
    {
        if (!_crdSync.GetAllLabelValues().Any(l => l[0] == t.Region && l[1] == t.Cluster))
            _crdSync.WithLabels(t.Region, t.Cluster).Set(UnixSeconds(t.Since));
    }

    internal void OnCrdSynced(CrdStatusSynced s) => _crdSync.WithLabels(s.Region, s.Cluster).Set(UnixSeconds(s.At));
    internal void OnCrdUntracked(CrdClusterUntracked u) => _crdSync.RemoveLabelled(u.Region, u.Cluster);

    internal void OnPodFence(PodFenceCompleted c)
    {
        var outcome = PodFenceActor.Label(c.Outcome);
        // every outcome of the pod from its first fence: increase() misses a series born at 1
        foreach (var o in Enum.GetValues<PodFenceOutcome>()) _podFences.WithLabels(c.Holder.Cluster, c.Holder.Pod, PodFenceActor.Label(o));
        _podFences.WithLabels(c.Holder.Cluster, c.Holder.Pod, outcome).Inc();
    }

    internal void OnHealthProbe(HealthProbeCompleted p)
    {
        var success = _probes.WithLabels(p.Cluster, "success");
        var failure = _probes.WithLabels(p.Cluster, "failure"); // both from the first probe: increase() misses a series born at 1
        // Timed before counted: a scrape between the two then never shows a probe whose duration is missing (seen in
        // MetricsSeriesSpec under load: count 1, duration count 0).
        if (p.Duration is { } d) _probeDuration.WithLabels(p.Cluster).Observe(d.TotalSeconds);
        (p.Healthy ? success : failure).Inc();
    }

    /// <summary>A state published by the arbiter on this coordinator (called from one actor only).</summary>
    internal void OnLocalArbiterState(PoolState s)
    {
        var now = s.Clusters.Select(c => c.Name).ToHashSet(StringComparer.Ordinal);
        if (_poolClusters.TryGetValue(s.PoolId, out var before))
            foreach (var gone in before.Where(c => !now.Contains(c))) RemoveCluster(gone);
        _poolClusters[s.PoolId] = now;
        foreach (var v in s.Clusters)
        {
            foreach (var state in ForgeStateTexts) _effectiveState.WithLabels(v.Name, state).Set(v.EffectiveState == state ? 1 : 0);
            _override.WithLabels(_region, v.Name).Set(v.Condition(ConditionTypes.OverrideActive)?.Status == "True" ? 1 : 0);
            TransitionSeries(v.Name);
        }
        if (_leadership.Observe(s) is { } moved) TransitionSeries(moved.Cluster)[moved.Reason].Inc();
    }

    /// <summary>Every reason of a cluster at 0 from its first sight: increase() misses a series born at 1.</summary>
    private Dictionary<string, Counter.Child> TransitionSeries(string cluster)
    {
        if (!_transitionSeries.TryGetValue(cluster, out var series))
            _transitionSeries[cluster] = series = LeadershipTransitions.Reasons.ToDictionary(r => r, r => _transitions.WithLabels(cluster, r));
        return series;
    }

    /// <summary>Another coordinator's arbiter published: this one no longer hosts it, so its arbiter gauges go (its
    /// counters stay: they only stop counting). Called from one actor only.</summary>
    internal void OnRemoteArbiterState()
    {
        foreach (var cluster in _poolClusters.Values.SelectMany(c => c).ToList()) RemoveCluster(cluster);
        _poolClusters.Clear();
        _leadership.Forget();
        foreach (var labels in _grants.GetAllLabelValues().ToList()) _grants.RemoveLabelled(labels);
    }

    private void RemoveCluster(string cluster)
    {
        foreach (var state in ForgeStateTexts) _effectiveState.RemoveLabelled(cluster, state);
        foreach (var labels in _override.GetAllLabelValues().Where(l => l[1] == cluster).ToList()) _override.RemoveLabelled(labels);
    }

    private static double UnixSeconds(DateTimeOffset t) => t.ToUnixTimeMilliseconds() / 1000.0;

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
