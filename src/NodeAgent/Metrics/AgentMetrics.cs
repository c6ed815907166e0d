using System.Globalization;
using Forge.Protocol;
using Prometheus;

namespace Forge.NodeAgent.Metrics;

/// <summary>
/// Exactly the series issue 4 lists, in a private registry (no default process series), all present from the first
/// scrape. Values are verified facts (the fence's), never intent. When a label value changes (a new spec priority),
/// the old series is removed, so <c>sum(cardano_cluster_forge_enabled)</c> never counts this node twice.
/// </summary>
internal sealed class AgentMetrics
{
    public static readonly string[] SighupOutcomes = ["verified", "send_failed", "not_verified"];
    public static readonly string[] CredentialOperations = ["inspect", "install", "remove"];

    private readonly Gauge _forgeEnabled;
    private readonly Gauge _priority;
    private readonly Gauge _health;
    private readonly Counter _leadershipChanges;
    private readonly Gauge _leaderStatus;
    private readonly Gauge _forgingEnabled;
    private readonly Counter _sighups;
    private readonly Counter _credentialOps;
    private readonly Histogram _renewLatency;
    private readonly Histogram _enableTime;
    private readonly Histogram _disableTime;
    private readonly Gauge _kesRemaining;
    private readonly Gauge _standalone;
    private readonly object _gate = new();
    private string _cluster;
    private string _region;
    private string _specPriority = "unknown";
    private bool _forging;

    public AgentMetrics(string cluster, string region, bool standalone)
    {
        Registry = Prometheus.Metrics.NewCustomRegistry();
        var f = Prometheus.Metrics.WithCustomRegistry(Registry);
        _cluster = cluster;
        _region = region;
        _forgeEnabled = f.CreateGauge("cardano_cluster_forge_enabled",
            "1 only while this node is verified forging; priority = the cluster's spec priority", "cluster", "region", "priority");
        _priority = f.CreateGauge("cardano_cluster_forge_priority", "Effective priority of the cluster", "cluster", "region");
        _health = f.CreateGauge("cardano_cluster_health_status", "Cluster health as the coordinator sees it", "cluster", "healthy");
        _leadershipChanges = f.CreateCounter("cardano_leadership_changes_total", "This node gaining or losing verified forging");
        _leaderStatus = f.CreateGauge("cardano_leader_status", "1 while this node holds the grant (or the Lease in single-cluster mode)");
        _forgingEnabled = f.CreateGauge("cardano_forging_enabled", "1 while the fence verified the node forging");
        _sighups = f.CreateCounter("cardano_sighup_signals_total", "Forging reconfigurations by outcome", "outcome");
        _credentialOps = f.CreateCounter("cardano_credential_operations_total", "Credential operations by outcome",
            "operation", "outcome");
        _renewLatency = f.CreateHistogram("cardano_grant_renew_latency_seconds", "Grant request/renewal send to confirmation",
            new HistogramConfiguration { Buckets = Histogram.ExponentialBuckets(0.001, 2, 14) });
        _enableTime = f.CreateHistogram("cardano_forging_enable_seconds", "Grant confirmation to verified forging",
            new HistogramConfiguration { Buckets = Histogram.ExponentialBuckets(0.01, 2, 11) });
        _disableTime = f.CreateHistogram("cardano_forging_disable_seconds", "Disable decision to verified off",
            new HistogramConfiguration { Buckets = Histogram.ExponentialBuckets(0.01, 2, 11) });
        _kesRemaining = f.CreateGauge("cardano_kes_periods_remaining", "KES periods left before the hot key expires");
        _standalone = f.CreateGauge("cardano_standalone_mode", "1 in single-cluster (Lease) mode");

        _standalone.Set(standalone ? 1 : 0);
        _forgeEnabled.WithLabels(_cluster, _region, _specPriority).Set(0);
        _priority.WithLabels(_cluster, _region).Set(0);
        _health.WithLabels(_cluster, "true").Set(0);
        _health.WithLabels(_cluster, "false").Set(1); // unknown health is not healthy
        foreach (var o in SighupOutcomes) _sighups.WithLabels(o);
        foreach (var op in CredentialOperations)
        {
            _credentialOps.WithLabels(op, "success");
            _credentialOps.WithLabels(op, "failure");
        }
        _kesRemaining.Set(double.NaN);
    }

    public CollectorRegistry Registry { get; }

    public void ApplyClusterInfo(ClusterInfo info)
    {
        lock (_gate)
        {
            var spec = info.SpecPriority.ToString(CultureInfo.InvariantCulture);
            if (info.ClusterName != _cluster || info.Region != _region || spec != _specPriority)
            {
                _forgeEnabled.RemoveLabelled(_cluster, _region, _specPriority);
                _priority.RemoveLabelled(_cluster, _region);
                if (info.ClusterName != _cluster)
                {
                    _health.RemoveLabelled(_cluster, "true");
                    _health.RemoveLabelled(_cluster, "false");
                }
                (_cluster, _region, _specPriority) = (info.ClusterName, info.Region, spec);
            }
            _forgeEnabled.WithLabels(_cluster, _region, _specPriority).Set(_forging ? 1 : 0);
            _priority.WithLabels(_cluster, _region).Set(info.EffectivePriority);
            _health.WithLabels(_cluster, "true").Set(info.Health == ClusterHealth.Healthy ? 1 : 0);
            _health.WithLabels(_cluster, "false").Set(info.Health == ClusterHealth.Healthy ? 0 : 1);
        }
    }

    public void SetForging(bool verified)
    {
        lock (_gate)
        {
            if (verified == _forging) return;
            _forging = verified;
            _leadershipChanges.Inc();
            _forgingEnabled.Set(verified ? 1 : 0);
            _forgeEnabled.WithLabels(_cluster, _region, _specPriority).Set(verified ? 1 : 0);
        }
    }

    public void SetLeader(bool leader) => _leaderStatus.Set(leader ? 1 : 0);
    public void Sighup(string outcome) => _sighups.WithLabels(outcome).Inc();
    public void CredentialOperation(string operation, bool ok) => _credentialOps.WithLabels(operation, ok ? "success" : "failure").Inc();
    public void RenewLatency(TimeSpan t) => _renewLatency.Observe(t.TotalSeconds);
    public void EnableTime(TimeSpan t) => _enableTime.Observe(t.TotalSeconds);
    public void DisableTime(TimeSpan t) => _disableTime.Observe(t.TotalSeconds);
    public void KesRemaining(int? periods) => _kesRemaining.Set(periods ?? double.NaN);

    public Task ExportAsync(Stream output, CancellationToken ct) => Registry.CollectAndExportAsTextAsync(output, ct);
}
