using System.Text.RegularExpressions;

namespace Forge.Monitoring.Tests.Support;

/// <summary>
/// Every metric the rules and the dashboard may read. Agent names come from the agent issue;
/// coordinator names are exported by src/Coordinator/Metrics (deploy/monitoring/README.md lists
/// both, a test checks it does, and the sandbox end-to-end test finds each in a real scrape).
/// </summary>
internal static partial class MetricCatalog
{
    public static readonly IReadOnlySet<string> Agent = new HashSet<string>(StringComparer.Ordinal)
    {
        "cardano_cluster_forge_enabled",
        "cardano_cluster_forge_priority",
        "cardano_cluster_health_status",
        "cardano_leadership_changes_total",
        "cardano_leader_status",
        "cardano_forging_enabled",
        "cardano_sighup_signals_total",
        "cardano_credential_operations_total",
        "cardano_kes_periods_remaining",
        "cardano_standalone_mode",
        "cardano_grant_renew_latency_seconds",
        "cardano_forging_enable_seconds",
        "cardano_forging_disable_seconds",
    };

    public static readonly IReadOnlySet<string> Coordinator = new HashSet<string>(StringComparer.Ordinal)
    {
        // exported by src/Coordinator/Metrics/CoordinatorMetrics.cs
        "forge_coordinator_cluster_members",
        "forge_coordinator_cluster_unreachable_members",
        "forge_coordinator_arbiter_host",
        "forge_coordinator_arbiter_local",
        "forge_coordinator_split_brain_decisions_total",
        "forge_coordinator_coordinators_refused_total",
        "forge_coordinator_pools_by_grant_state",
        "forge_coordinator_decision_latency_seconds",
        "forge_coordinator_grant_quorum_reachable",
        "forge_coordinator_crd_status_last_sync_timestamp_seconds",
        "forge_coordinator_override_active",
        "forge_coordinator_cluster_effective_state",
        "forge_coordinator_health_probes_total",
        "forge_coordinator_health_probe_duration_seconds",
        "forge_coordinator_leadership_transitions_total",
        "forge_coordinator_liveness_watchdog_suspect",
        "forge_coordinator_remote_tls_handshake_failures_total",
    };

    /// <summary>Series Prometheus makes itself, and what our own recording rule writes.</summary>
    public static readonly IReadOnlySet<string> Other = new HashSet<string>(StringComparer.Ordinal)
    {
        "up",
        "cluster:cardano_forge_active_priority:max",
    };

    private static readonly string[] HistogramSuffixes = ["_bucket", "_sum", "_count"];

    /// <summary>True when <paramref name="name"/> is a catalogued series (histogram series included).</summary>
    public static bool Knows(string name) =>
        Agent.Contains(name) || Coordinator.Contains(name) || Other.Contains(name) ||
        HistogramSuffixes.Any(s => name.EndsWith(s, StringComparison.Ordinal) &&
            (Agent.Contains(name[..^s.Length]) || Coordinator.Contains(name[..^s.Length])));

    /// <summary>
    /// Metric names used in a PromQL expression: identifiers with our prefixes, and up, outside
    /// quoted strings (label values such as job="forge-agent") and outside label matchers.
    /// </summary>
    public static IReadOnlyList<string> MetricsIn(string expr)
    {
        var unquoted = QuotedString().Replace(expr, "\"\"");
        var withoutMatchers = LabelMatchers().Replace(unquoted, "{}");
        return MetricName().Matches(withoutMatchers).Select(m => m.Value).Distinct().ToList();
    }

    [GeneratedRegex("\"(?:[^\"\\\\]|\\\\.)*\"")]
    private static partial Regex QuotedString();

    [GeneratedRegex(@"\{[^{}]*\}")]
    private static partial Regex LabelMatchers();

    [GeneratedRegex(@"(?<![\w:])(?:cardano_\w+|forge_coordinator_\w+|cluster:cardano_[\w:]+|up)(?![\w:(])")]
    private static partial Regex MetricName();
}
