using Forge.NodeAgent.Metrics;
using Forge.Protocol;
using Xunit;

namespace Forge.NodeAgent.Tests.Metrics;

public sealed class AgentMetricsTests
{
    private static async Task<string> Scrape(AgentMetrics m)
    {
        using var s = new MemoryStream();
        await m.ExportAsync(s, CancellationToken.None);
        return System.Text.Encoding.UTF8.GetString(s.ToArray());
    }

    private static IEnumerable<string> SeriesNames(string text) =>
        text.Split('\n').Where(l => l.Length > 0 && l[0] != '#').Select(l => l.Split(['{', ' '])[0]).Distinct();

    [Fact]
    public async Task Exactly_the_issue_4_series_exist_from_the_first_scrape()
    {
        var text = await Scrape(new AgentMetrics("c1", "r1", standalone: false));
        var names = SeriesNames(text).Select(n => n.Replace("_bucket", "", StringComparison.Ordinal)
            .Replace("_sum", "", StringComparison.Ordinal).Replace("_count", "", StringComparison.Ordinal)).Distinct().Order();
        Assert.Equal(new[]
        {
            "cardano_cluster_forge_enabled", "cardano_cluster_forge_priority", "cardano_cluster_health_status",
            "cardano_credential_operations_total", "cardano_forging_disable_seconds", "cardano_forging_enable_seconds",
            "cardano_forging_enabled", "cardano_grant_renew_latency_seconds", "cardano_kes_periods_remaining",
            "cardano_leader_status", "cardano_leadership_changes_total", "cardano_sighup_signals_total",
            "cardano_standalone_mode",
        }.Order(), names);
        Assert.Contains("cardano_cluster_health_status{cluster=\"c1\",healthy=\"true\"} 0", text);
        Assert.Contains("cardano_cluster_health_status{cluster=\"c1\",healthy=\"false\"} 1", text);
        Assert.Contains("cardano_sighup_signals_total{outcome=\"send_failed\"} 0", text);
        Assert.Contains("cardano_standalone_mode 0", text);
    }

    [Fact]
    public async Task A_new_spec_priority_replaces_the_old_series_so_sums_never_count_a_node_twice()
    {
        var m = new AgentMetrics("c1", "r1", standalone: true);
        m.ApplyClusterInfo(new ClusterInfo("c1", "r1", 1, 1, "Priority-based", ClusterHealth.Healthy, 1));
        m.SetForging(true);
        m.ApplyClusterInfo(new ClusterInfo("c1", "r1", 2, 3, "Priority-based", ClusterHealth.Unhealthy, 2));
        var text = await Scrape(m);
        var forgeEnabled = text.Split('\n').Where(l => l.StartsWith("cardano_cluster_forge_enabled{", StringComparison.Ordinal)).ToList();
        Assert.Equal(["cardano_cluster_forge_enabled{cluster=\"c1\",region=\"r1\",priority=\"2\"} 1"], forgeEnabled);
        Assert.Contains("cardano_cluster_forge_priority{cluster=\"c1\",region=\"r1\"} 3", text);
        Assert.Contains("cardano_cluster_health_status{cluster=\"c1\",healthy=\"true\"} 0", text);
        Assert.Contains("cardano_cluster_health_status{cluster=\"c1\",healthy=\"false\"} 1", text);
        Assert.Contains("cardano_standalone_mode 1", text);
        Assert.Contains("cardano_leadership_changes_total 1", text);
    }
}
