using System.Text.Json;
using Forge.Monitoring.Tests.Support;

namespace Forge.Monitoring.Tests.Dashboard;

public sealed class DashboardTests
{
    /// <summary>The guide's four panels ("Monitoring Dashboard") and the panel types that show them.</summary>
    public static readonly TheoryData<string, string, string[]> GuidePanels = new()
    {
        { "Cluster Status", "table", ["cardano_cluster_forge_enabled", "cardano_cluster_forge_priority", "cardano_cluster_health_status"] },
        { "Active Forger", "state-timeline", ["cardano_cluster_forge_enabled"] },
        { "Health Checks", "timeseries", ["forge_coordinator_health_probes_total", "forge_coordinator_health_probe_duration_seconds_bucket", "cardano_cluster_health_status"] },
        { "Leadership Transitions", "timeseries", ["cardano_leadership_changes_total", "forge_coordinator_leadership_transitions_total"] },
    };

    private static readonly Lazy<JsonDocument> Document = new(() => JsonDocument.Parse(File.ReadAllText(Repo.DashboardFile)));

    private static JsonElement Root => Document.Value.RootElement;

    [Fact]
    public void The_dashboard_is_json_with_a_uid_title_and_panels()
    {
        Assert.Equal(JsonValueKind.Object, Root.ValueKind);
        Assert.False(string.IsNullOrEmpty(Root.GetProperty("uid").GetString()));
        Assert.False(string.IsNullOrEmpty(Root.GetProperty("title").GetString()));
        Assert.NotEmpty(Panels());
    }

    [Theory]
    [MemberData(nameof(GuidePanels))]
    public void The_guides_panels_are_there(string title, string type, string[] metrics)
    {
        var panel = Panels().SingleOrDefault(p => p.GetProperty("title").GetString() == title);
        Assert.True(panel.ValueKind == JsonValueKind.Object, $"no panel titled {title}");
        Assert.Equal(type, panel.GetProperty("type").GetString());
        var used = Targets(panel).SelectMany(t => MetricCatalog.MetricsIn(t.Expr)).ToHashSet();
        Assert.All(metrics, m => Assert.Contains(m, used));
    }

    [Fact]
    public void Every_expression_is_valid_promql()
    {
        var exprs = AllExpressions().Select(e => Substitute(e.Expr)).ToList();
        Assert.NotEmpty(exprs);
        var result = Promtool.CheckExpressions(exprs);
        Assert.True(result.ExitCode == 0, result.ToString());
    }

    [Fact]
    public void Every_expression_returns_data_for_a_running_pool()
    {
        // absent(x) is empty exactly when x returns something: promtool evaluates each panel query
        // against a pool in three regions (dashboard-series.yml), so a join whose labels do not
        // match, or a stat that is empty in the good case, fails here.
        var series = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Dashboard", "dashboard-series.yml"));
        var text = new System.Text.StringBuilder()
            .Append("rule_files:\n  - '").Append(Repo.RulesFile).Append("'\n")
            .Append("evaluation_interval: 1m\ntests:\n  - interval: 1m\n    input_series:\n");
        foreach (var line in series.Split('\n').Where(l => l.Length > 0 && !l.StartsWith('#')))
        {
            text.Append("      ").Append(line).Append('\n');
        }

        text.Append("    promql_expr_test:\n");
        foreach (var (_, expr) in AllExpressions().Where(e => !e.Where.StartsWith("variable", StringComparison.Ordinal)))
        {
            text.Append("      - expr: 'absent(").Append(Substitute(expr).Replace("'", "''", StringComparison.Ordinal)).Append(")'\n")
                .Append("        eval_time: 11m\n        exp_samples: []\n");
        }

        var file = Path.Combine(Path.GetTempPath(), $"forge-dashboard-{Guid.NewGuid():N}.test.yml");
        File.WriteAllText(file, text.ToString());
        try
        {
            var result = Promtool.Run("test", "rules", file);
            Assert.True(result.ExitCode == 0, result.ToString());
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public void Every_expression_reads_catalogued_metrics_only()
    {
        var problems = new List<string>();
        foreach (var (where, expr) in AllExpressions())
        {
            var metrics = MetricCatalog.MetricsIn(expr);
            if (metrics.Count == 0)
            {
                problems.Add($"{where}: no known metric in {expr}");
            }

            problems.AddRange(metrics.Where(m => !MetricCatalog.Knows(m)).Select(m => $"{where}: unknown metric {m}"));
        }

        Assert.True(problems.Count == 0, string.Join("\n", problems));
    }

    [Fact]
    public void Queries_use_the_datasource_variable()
    {
        var variables = Root.GetProperty("templating").GetProperty("list").EnumerateArray().ToList();
        Assert.Contains(variables, v => v.GetProperty("name").GetString() == "datasource" && v.GetProperty("type").GetString() == "datasource");
        foreach (var panel in Panels().Where(p => p.GetProperty("type").GetString() != "row"))
        {
            Assert.Equal("${datasource}", panel.GetProperty("datasource").GetProperty("uid").GetString());
            foreach (var target in panel.GetProperty("targets").EnumerateArray())
            {
                Assert.Equal("${datasource}", target.GetProperty("datasource").GetProperty("uid").GetString());
            }
        }
    }

    [Fact]
    public void Panels_have_unique_ids_and_refIds_and_do_not_overlap()
    {
        var panels = Panels().ToList();
        var ids = panels.Select(p => p.GetProperty("id").GetInt32()).ToList();
        Assert.Equal(ids.Count, ids.Distinct().Count());
        var boxes = panels.Select(p => p.GetProperty("gridPos")).Select(g =>
            (x: g.GetProperty("x").GetInt32(), y: g.GetProperty("y").GetInt32(), w: g.GetProperty("w").GetInt32(), h: g.GetProperty("h").GetInt32())).ToList();
        Assert.All(boxes, b => Assert.InRange(b.x + b.w, 1, 24));
        for (var i = 0; i < boxes.Count; i++)
        {
            for (var j = i + 1; j < boxes.Count; j++)
            {
                var (a, b) = (boxes[i], boxes[j]);
                var overlap = a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;
                Assert.False(overlap, $"panels {ids[i]} and {ids[j]} overlap");
            }
        }

        foreach (var panel in panels.Where(p => p.TryGetProperty("targets", out _)))
        {
            var refIds = panel.GetProperty("targets").EnumerateArray().Select(t => t.GetProperty("refId").GetString()).ToList();
            Assert.Equal(refIds.Count, refIds.Distinct().Count());
        }
    }

    private static IEnumerable<JsonElement> Panels()
    {
        foreach (var panel in Root.GetProperty("panels").EnumerateArray())
        {
            yield return panel;
            if (panel.TryGetProperty("panels", out var nested))
            {
                foreach (var inner in nested.EnumerateArray())
                {
                    yield return inner;
                }
            }
        }
    }

    private static IEnumerable<(string Where, string Expr)> Targets(JsonElement panel) =>
        panel.TryGetProperty("targets", out var targets)
            ? targets.EnumerateArray().Select(t => ($"{panel.GetProperty("title").GetString()}/{t.GetProperty("refId").GetString()}", t.GetProperty("expr").GetString() ?? ""))
            : [];

    /// <summary>Every PromQL expression of the dashboard: panel targets, annotations, variables' metrics.</summary>
    internal static IEnumerable<(string Where, string Expr)> AllExpressions()
    {
        foreach (var target in Panels().SelectMany(Targets))
        {
            yield return target;
        }

        foreach (var annotation in Root.GetProperty("annotations").GetProperty("list").EnumerateArray())
        {
            if (annotation.TryGetProperty("expr", out var expr))
            {
                yield return ($"annotation {annotation.GetProperty("name").GetString()}", expr.GetString() ?? "");
            }
        }

        foreach (var variable in Root.GetProperty("templating").GetProperty("list").EnumerateArray())
        {
            if (variable.TryGetProperty("definition", out var definition) && definition.GetString() is { } d && d.StartsWith("label_values(", StringComparison.Ordinal))
            {
                // label_values(metric, label) is Grafana's, not PromQL: check the metric
                yield return ($"variable {variable.GetProperty("name").GetString()}", d["label_values(".Length..d.IndexOf(',', StringComparison.Ordinal)]);
            }
        }
    }

    /// <summary>Grafana's variables replaced by what Grafana would put there.</summary>
    private static string Substitute(string expr) => expr
        .Replace("$__rate_interval", "5m", StringComparison.Ordinal)
        .Replace("$__interval", "1m", StringComparison.Ordinal)
        .Replace("$cluster", ".*", StringComparison.Ordinal);
}
