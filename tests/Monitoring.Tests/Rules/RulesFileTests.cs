using Forge.Monitoring.Tests.Support;

namespace Forge.Monitoring.Tests.Rules;

public sealed class RulesFileTests
{
    /// <summary>The operations guide's four alerts, expressions and timing word for word.</summary>
    public static readonly TheoryData<string, string, string, string> GuideAlerts = new()
    {
        { "CardanoMultipleClusterForging", "sum(cardano_cluster_forge_enabled) > 1", "1m", "critical" },
        { "CardanoNoClusterForging", "sum(cardano_cluster_forge_enabled) == 0", "2m", "critical" },
        { "CardanoClusterUnhealthy", "cardano_cluster_health_status{healthy=\"false\"} == 1", "5m", "warning" },
        { "CardanoSecondaryClusterForging", "cardano_cluster_forge_enabled{priority!=\"1\"} == 1", "10m", "warning" },
    };

    /// <summary>Alerts the guide lacks, which the observability issue asks for.</summary>
    public static readonly TheoryData<string, string> ExtraAlerts = new()
    {
        { "CardanoForgeAgentDown", "up{job=\"forge-agent\"} == 0" },
        { "CardanoForgeSighupFailed", "cardano_sighup_signals_total{outcome!=\"verified\"}" },
        { "CardanoForgeGrantQuorumLost", "forge_coordinator_grant_quorum_reachable" },
        { "CardanoForgeCrdStatusStale", "forge_coordinator_crd_status_last_sync_timestamp_seconds" },
        { "CardanoForgeOverrideActiveTooLong", "forge_coordinator_override_active" },
        { "CardanoForgeSingleClusterMode", "cardano_standalone_mode == 1" },
        { "CardanoForgeKesPeriodsLow", "cardano_kes_periods_remaining" },
    };

    [Fact]
    public void Promtool_check_rules_accepts_the_rules_file()
    {
        var result = Promtool.Run("check", "rules", Repo.RulesFile);
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("SUCCESS", result.Output, StringComparison.Ordinal);
    }

    [Fact]
    public void Promtool_unit_tests_pass()
    {
        var files = Repo.PromtoolTestFiles.ToArray();
        Assert.NotEmpty(files);
        var result = Promtool.Run(["test", "rules", .. files]);
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.DoesNotContain("FAILED", result.Output, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(GuideAlerts))]
    public void The_guides_alerts_are_shipped_as_written(string alert, string expr, string forDuration, string severity)
    {
        var rule = RulesModel.Load(Repo.RulesFile).Alert(alert);
        Assert.Equal(expr, rule.Expr);
        Assert.Equal(forDuration, rule.For);
        Assert.Equal(severity, rule.Labels["severity"]);
    }

    [Theory]
    [MemberData(nameof(ExtraAlerts))]
    public void The_alerts_the_guide_lacks_are_there(string alert, string exprPart)
    {
        var rule = RulesModel.Load(Repo.RulesFile).Alert(alert);
        Assert.Contains(exprPart, rule.Expr, StringComparison.Ordinal);
        Assert.Contains(rule.Labels["severity"], new[] { "warning", "critical" });
        Assert.False(string.IsNullOrWhiteSpace(rule.Annotations.GetValueOrDefault("summary")), $"{alert} has no summary");
        Assert.False(string.IsNullOrWhiteSpace(rule.Annotations.GetValueOrDefault("description")), $"{alert} has no description");
    }

    [Fact]
    public void The_active_priority_recording_rule_avoids_the_guides_many_to_many_match()
    {
        var rule = RulesModel.Load(Repo.RulesFile).Rules.Single(r => r.Record == "cluster:cardano_forge_active_priority:max");
        Assert.DoesNotContain("on()", rule.Expr, StringComparison.Ordinal);
        Assert.Contains("on(cluster)", rule.Expr, StringComparison.Ordinal);
        Assert.Contains("max by (cluster) (cardano_cluster_forge_enabled)", rule.Expr, StringComparison.Ordinal);
    }

    [Fact]
    public void The_PrometheusRule_holds_exactly_the_rules_of_the_plain_file()
    {
        var plain = Yaml.Load(Repo.RulesFile);
        var crd = Yaml.Load(Repo.PrometheusRuleFile);
        Assert.Equal("monitoring.coreos.com/v1", Yaml.Str(crd, "apiVersion"));
        Assert.Equal("PrometheusRule", Yaml.Str(crd, "kind"));
        Assert.False(string.IsNullOrEmpty(Yaml.Str(Yaml.Get(crd, "metadata"), "name")));
        Assert.True(Yaml.DeepEquals(plain, Yaml.Get(crd, "spec")),
            "prometheusrule.yaml differs from rules/cardano-forge.rules.yml: run deploy/monitoring/generate-prometheusrule.sh");
    }

    [Fact]
    public void Every_alert_has_a_promtool_test_where_it_fires_and_one_where_it_does_not()
    {
        var coverage = PromtoolTestsModel.Load(Repo.PromtoolTestFiles);
        var missing = new List<string>();
        foreach (var alert in RulesModel.Load(Repo.RulesFile).Rules.Where(r => r.Alert is not null))
        {
            if (!coverage.Fires.Contains(alert.Alert!))
            {
                missing.Add($"{alert.Alert}: no test where it fires");
            }

            if (!coverage.Silent.Contains(alert.Alert!))
            {
                missing.Add($"{alert.Alert}: no test where it does not fire");
            }
        }

        Assert.True(missing.Count == 0, string.Join("\n", missing));
    }

    [Fact]
    public void Every_recording_rule_has_a_promtool_expression_test()
    {
        var coverage = PromtoolTestsModel.Load(Repo.PromtoolTestFiles);
        foreach (var rule in RulesModel.Load(Repo.RulesFile).Rules.Where(r => r.Record is not null))
        {
            Assert.True(coverage.Expressions.Any(e => e.Contains(rule.Record!, StringComparison.Ordinal)), $"{rule.Record} is never evaluated");
        }
    }

    [Fact]
    public void Rules_read_only_catalogued_metrics()
    {
        var unknown = RulesModel.Load(Repo.RulesFile).Rules
            .SelectMany(r => MetricCatalog.MetricsIn(r.Expr).Select(m => (rule: r.Alert ?? r.Record, metric: m)))
            .Where(x => !MetricCatalog.Knows(x.metric))
            .ToList();
        Assert.True(unknown.Count == 0, string.Join("\n", unknown.Select(x => $"{x.rule}: {x.metric}")));
    }

    [Fact]
    public void Coordinator_metrics_keep_out_of_the_agents_namespaces()
    {
        // cardano_cluster_* and cardano_leader_* come from the agents only, so sums over all targets count nodes.
        Assert.All(MetricCatalog.Coordinator, m =>
        {
            Assert.False(m.StartsWith("cardano_cluster_", StringComparison.Ordinal), m);
            Assert.False(m.StartsWith("cardano_leader_", StringComparison.Ordinal), m);
        });
    }

    [Fact]
    public void The_README_lists_every_catalogued_metric_and_alert()
    {
        var readme = File.ReadAllText(Path.Combine(Repo.Monitoring, "README.md"));
        var names = MetricCatalog.Agent.Concat(MetricCatalog.Coordinator)
            .Concat(RulesModel.Load(Repo.RulesFile).Rules.Select(r => r.Alert ?? r.Record!));
        Assert.All(names, n => Assert.Contains(n, readme, StringComparison.Ordinal));
    }
}
