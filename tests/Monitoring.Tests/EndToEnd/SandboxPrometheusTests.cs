using System.Globalization;
using System.Reflection;
using System.Text.Json;
using System.Text.RegularExpressions;
using Forge.Monitoring.Tests.Dashboard;
using Forge.Monitoring.Tests.Rules;
using Forge.Monitoring.Tests.Support;
using Xunit.Abstractions;

namespace Forge.Monitoring.Tests.EndToEnd;

/// <summary>
/// A real Prometheus (Debian's, through deploy/monitoring/sandbox/prometheus-for-sandbox.sh, scraping and evaluating
/// every second) against a running sandbox (<c>forge-coordinator sandbox</c>: three regions, coordinators, agents):
/// every target is up, every series the rules and the dashboard read is in the scrape, the coordinators' arbiter
/// series come from one coordinator only, and disabling every cluster with kubectl turns CardanoNoClusterForging
/// pending. Stops both processes it started.
/// </summary>
[Trait("Category", "Slow")]
public sealed partial class SandboxPrometheusTests(ITestOutputHelper output) : IDisposable
{
    /// <summary>The sandbox's own ready timeout, and how long the test waits for "sandbox ready" (a loaded machine
    /// is slow; the sandbox reports the figure, this test does not time it).</summary>
    private const int ReadyTimeoutSeconds = 150;
    private static readonly TimeSpan ReadyLimit = TimeSpan.FromSeconds(ReadyTimeoutSeconds + 30);
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);

    private readonly string _dir = Directory.CreateTempSubdirectory("forge-sandbox-prometheus-").FullName;
    private OwnedProcess? _sandbox;
    private OwnedProcess? _prometheus;

    public void Dispose()
    {
        _prometheus?.Dispose();
        _sandbox?.Dispose(); // SIGTERM: the sandbox stops every child it started
        Directory.Delete(_dir, recursive: true);
    }

    [Fact]
    public async Task Prometheus_scrapes_every_target_and_series_of_a_running_sandbox_and_no_forger_goes_pending_when_every_cluster_is_disabled()
    {
        Tool.Require("prometheus", "prometheus");
        Tool.Require("jq", "jq");
        var kubectl = Tool.Require("kubectl", "kubectl");
        var sandboxDir = Path.Combine(_dir, "sbx");
        _sandbox = new OwnedProcess(CoordinatorExe(), ["sandbox", "--dir", sandboxDir, "--ready-timeout", ReadyTimeoutSeconds.ToString(CultureInfo.InvariantCulture)],
            Path.Combine(_dir, "sandbox.out"));
        var ready = await ReadyLine(_sandbox);
        output.WriteLine(ready);

        using var manifest = JsonDocument.Parse(File.ReadAllText(Path.Combine(sandboxDir, "sandbox.json")));
        var regions = manifest.RootElement.GetProperty("regions").EnumerateArray().ToList();
        var clusters = regions.Select(r => r.GetProperty("name").GetString()!).ToList();
        var targets = regions.Sum(r => r.GetProperty("nodes").GetArrayLength() + r.GetProperty("coordinators").GetArrayLength());

        var port = FakeAgentEndpoint.FreePort();
        _prometheus = new OwnedProcess(Path.Combine(Repo.Monitoring, "sandbox", "prometheus-for-sandbox.sh"),
            [sandboxDir, "--listen", $"127.0.0.1:{port}"], Path.Combine(_dir, "prometheus.out"),
            new Dictionary<string, string> { ["SCRAPE_SECONDS"] = "1" }, TimeSpan.FromSeconds(20));
        using var prom = new PrometheusApi($"http://127.0.0.1:{port}",
            () => $"--- prometheus\n{_prometheus.Tail(15)}\n--- sandbox\n{_sandbox.Tail(15)}\n--- restarted\n{RestartLines(sandboxDir)}");
        Task<string> WaitFor(string query, Func<string, bool> ok) =>
            prom.WaitFor(query, ok, Deadline, () => _prometheus.HasExited || _sandbox.HasExited);

        // every agent and coordinator of the manifest is scraped and up
        await WaitFor("count(up)", v => v == targets.ToString(CultureInfo.InvariantCulture));
        await WaitFor("count(up == 1)", v => v == targets.ToString(CultureInfo.InvariantCulture));
        await WaitFor("sum(cardano_cluster_forge_enabled)", v => v == "1");

        // every series the rules and the dashboard read is in the scrape (none left unexported)
        var wanted = RulesModel.Load(Repo.RulesFile).Rules.Select(r => r.Expr)
            .Concat(DashboardTests.AllExpressions().Select(e => e.Expr))
            .SelectMany(MetricCatalog.MetricsIn).ToHashSet(StringComparer.Ordinal);
        var missing = wanted.ToList();
        var watch = System.Diagnostics.Stopwatch.StartNew();
        while (missing.Count > 0 && watch.Elapsed < Deadline)
        {
            var still = new List<string>();
            foreach (var m in missing)
                if (await prom.Query($"count({{__name__=~\"{m}(_bucket)?\"}})") == "") still.Add(m);
            missing = still;
            if (missing.Count > 0) await Task.Delay(500);
        }
        Assert.True(missing.Count == 0, $"read by the rules or the dashboard but not in the scrape after {Deadline}: {string.Join(", ", missing)}");
        output.WriteLine($"{wanted.Count} series read by the rules and the dashboard, all in the scrape");

        // the arbiter's series come from the one coordinator hosting it: one effective state per cluster in the world
        await WaitFor("count(forge_coordinator_cluster_effective_state == 1)", v => v == clusters.Count.ToString(CultureInfo.InvariantCulture));
        Assert.Equal("1", await prom.Query("sum(forge_coordinator_arbiter_local)"));
        await WaitFor("count(max by (region) (forge_coordinator_grant_quorum_reachable == 1))", v => v == regions.Count.ToString(CultureInfo.InvariantCulture));

        // every cluster Disabled through kubectl (the guide's way): nobody forges, the guide's alert goes pending
        var kubeconfig = manifest.RootElement.GetProperty("kubeconfig").GetString()!;
        foreach (var cluster in clusters)
        {
            var patch = Tool.Run(kubectl, ["--kubeconfig", kubeconfig, "patch", "cardanoforgeclusters", cluster, "--type", "merge",
                "-p", """{"spec":{"forgeState":"Disabled"}}"""]);
            Assert.True(patch.ExitCode == 0, patch.ToString());
        }
        await WaitFor("count(forge_coordinator_cluster_effective_state{state=\"Disabled\"} == 1)",
            v => v == clusters.Count.ToString(CultureInfo.InvariantCulture));
        await WaitFor("sum(cardano_cluster_forge_enabled)", v => v == "0");
        await WaitFor("count(ALERTS{alertname=\"CardanoNoClusterForging\",alertstate=\"pending\"})", v => v == "1");
        Assert.Equal("", await prom.Query("ALERTS{alertname=\"CardanoMultipleClusterForging\"}"));
    }

    /// <summary>The sandbox's "NAME exited (…); restarting" lines from every log under its directory.</summary>
    private static string RestartLines(string sandboxDir) => string.Join('\n',
        Directory.EnumerateFiles(sandboxDir, "*.log", SearchOption.AllDirectories)
            .SelectMany(File.ReadLines).Where(l => l.Contains(" sandbox: ", StringComparison.Ordinal) && l.Contains("; restarting", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal));

    /// <summary>Waits for the sandbox's "sandbox ready: NODE verified forging N s after the command" line.</summary>
    private static async Task<string> ReadyLine(OwnedProcess sandbox)
    {
        var watch = System.Diagnostics.Stopwatch.StartNew();
        while (watch.Elapsed < ReadyLimit)
        {
            var line = sandbox.Output().Split('\n').FirstOrDefault(l => ReadyPattern().IsMatch(l));
            if (line is not null) return line;
            if (sandbox.HasExited) Assert.Fail($"the sandbox exited before it was ready:\n{sandbox.Tail(30)}");
            await Task.Delay(500);
        }
        Assert.Fail($"no 'sandbox ready' within {ReadyLimit}:\n{sandbox.Tail(30)}");
        return "";
    }

    [GeneratedRegex(@"^sandbox ready: \S+ verified forging [0-9.]+ s after the command")]
    private static partial Regex ReadyPattern();

    /// <summary>forge-coordinator as built with this test project (same configuration first).</summary>
    private static string CoordinatorExe()
    {
        var configuration = typeof(SandboxPrometheusTests).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "Debug";
        var tfm = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar)).Name;
        var candidates = new[] { configuration, "Release", "Debug" }.Distinct()
            .Select(c => Path.Combine(Repo.Root, "src", "Coordinator", "bin", c, tfm, "forge-coordinator")).ToList();
        return candidates.FirstOrDefault(File.Exists)
               ?? throw new FileNotFoundException($"forge-coordinator is not built (dotnet build tests/Monitoring.Tests builds it); looked at {string.Join(", ", candidates)}");
    }
}
