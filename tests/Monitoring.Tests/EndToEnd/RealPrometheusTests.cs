using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Forge.Monitoring.Tests.Support;

namespace Forge.Monitoring.Tests.EndToEnd;

/// <summary>
/// A real Prometheus (Debian's) started by deploy/monitoring/sandbox/prometheus-for-sandbox.sh loads
/// the rules and scrapes two agent endpoints: the forger count and the guide's no-forger alert behave
/// as the guide says. (The same script against a running sandbox is the sandbox tests' business.)
/// </summary>
[Trait("Category", "Slow")]
public sealed class RealPrometheusTests : IDisposable
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(120);
    private readonly FakeAgentEndpoint _east = new();
    private readonly FakeAgentEndpoint _west = new();
    private readonly FakeAgentEndpoint _coordinator = new();
    private readonly string _dir = Directory.CreateTempSubdirectory("forge-prometheus-").FullName;
    private readonly System.Collections.Concurrent.ConcurrentQueue<string> _log = new();
    private Process? _prometheus;

    public void Dispose()
    {
        if (_prometheus is { HasExited: false })
        {
            _prometheus.Kill(entireProcessTree: true);
            _prometheus.WaitForExit();
        }

        _prometheus?.Dispose();
        _east.Dispose();
        _west.Dispose();
        _coordinator.Dispose();
        Directory.Delete(_dir, recursive: true);
    }

    [Fact]
    public async Task Prometheus_counts_one_forger_and_raises_no_forger_pending_when_forging_stops()
    {
        Tool.Require("prometheus", "prometheus");
        _east.Body = Agent("us-east-1-prod", "us-east-1", 1, forging: true);
        _west.Body = Agent("us-west-2-prod", "us-west-2", 2, forging: false);
        _coordinator.Body = "forge_coordinator_grant_quorum_reachable 1\n";
        using var prom = new PrometheusApi(StartPrometheus(), () => string.Join('\n', _log.TakeLast(30)));
        Task WaitFor(string query, Func<string, bool> ok) => prom.WaitFor(query, ok, Deadline, () => _prometheus!.HasExited);

        await WaitFor("sum(cardano_cluster_forge_enabled)", v => v == "1");
        await WaitFor("count(up{job=\"forge-agent\"} == 1)", v => v == "2");
        await WaitFor("count(up{job=\"forge-coordinator\"} == 1)", v => v == "1");
        await WaitFor("count(cardano_cluster_forge_enabled{pod=\"cardano-bp-0\",instance=\"us-east-1-prod/cardano-bp-0\"})", v => v == "1");
        await WaitFor("cluster:cardano_forge_active_priority:max{cluster=\"us-east-1-prod\"}", v => v == "1");

        // every cluster Disabled: nobody forges
        _east.Body = Agent("us-east-1-prod", "us-east-1", 1, forging: false);
        await WaitFor("sum(cardano_cluster_forge_enabled)", v => v == "0");
        await WaitFor("count(ALERTS{alertname=\"CardanoNoClusterForging\",alertstate=\"pending\"})", v => v == "1");
        Assert.Equal("", await prom.Query("ALERTS{alertname=\"CardanoMultipleClusterForging\"}"));
    }

    private static string Agent(string cluster, string region, int priority, bool forging) =>
        string.Create(CultureInfo.InvariantCulture, $"""
            # TYPE cardano_cluster_forge_enabled gauge
            cardano_cluster_forge_enabled{"{"}cluster="{cluster}",region="{region}",priority="{priority}"{"}"} {(forging ? 1 : 0)}
            # TYPE cardano_cluster_forge_priority gauge
            cardano_cluster_forge_priority{"{"}cluster="{cluster}",region="{region}"{"}"} {priority}
            # TYPE cardano_cluster_health_status gauge
            cardano_cluster_health_status{"{"}cluster="{cluster}",healthy="true"{"}"} 1
            cardano_cluster_health_status{"{"}cluster="{cluster}",healthy="false"{"}"} 0

            """);

    private string StartPrometheus()
    {
        var manifest = new
        {
            kubeconfig = Path.Combine(_dir, "kubeconfig"),
            regions = new[]
            {
                Region("us-east-1-prod", "us-east-1", 1, [_coordinator], _east),
                Region("us-west-2-prod", "us-west-2", 2, [], _west),
            },
        };
        File.WriteAllText(Path.Combine(_dir, "sandbox.json"), JsonSerializer.Serialize(manifest));
        var port = FakeAgentEndpoint.FreePort();
        var psi = new ProcessStartInfo(Path.Combine(Repo.Monitoring, "sandbox", "prometheus-for-sandbox.sh"))
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[] { _dir, "--listen", $"127.0.0.1:{port}" })
        {
            psi.ArgumentList.Add(arg);
        }

        psi.Environment["SCRAPE_SECONDS"] = "1";
        _prometheus = Process.Start(psi) ?? throw new InvalidOperationException("could not start prometheus");
        _prometheus.OutputDataReceived += (_, e) => { if (e.Data is not null) _log.Enqueue(e.Data); };
        _prometheus.ErrorDataReceived += (_, e) => { if (e.Data is not null) _log.Enqueue(e.Data); };
        _prometheus.BeginOutputReadLine();
        _prometheus.BeginErrorReadLine();
        return $"http://127.0.0.1:{port}";
    }

    private static object Region(string name, string region, int priority, FakeAgentEndpoint[] coordinators, FakeAgentEndpoint agent) => new
    {
        name,
        region,
        priority,
        context = name,
        kubeApi = "http://127.0.0.1:1/",
        coordinators = coordinators.Select(c => new { pid = 1, metrics = c.MetricsUrl, shell = "127.0.0.1:1" }).ToArray(),
        nodes = new[]
        {
            new { id = $"{name}/cardano-bp-0", pod = "cardano-bp-0", agentPid = 1, fencePid = 1, nodePid = 1, agentMetrics = agent.MetricsUrl, forgeLog = "/dev/null" },
        },
    };
}
