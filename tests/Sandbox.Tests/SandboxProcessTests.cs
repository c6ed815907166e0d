using System.Globalization;
using Xunit.Abstractions;

namespace Forge.Sandbox.Tests;

/// <summary>
/// The sandbox as a user runs it: <c>forge-coordinator sandbox</c>, one instance shared by these tests, in order.
/// Conditions are polled with deadlines, never slept for.
/// </summary>
[Collection(SandboxCollection.Name)]
[TestCaseOrderer(ByNameOrderer.Type, ByNameOrderer.Assembly)]
public sealed partial class SandboxProcessTests(SandboxFixture sandbox, ITestOutputHelper output)
{
    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(5) };

    private Dictionary<string, string> KubeEnv() => new() { ["KUBECONFIG"] = sandbox.Manifest().Kubeconfig };

    private (int Code, string Out, string Err) Kubectl(params string[] args) =>
        Run.Program("kubectl", args.Append("--request-timeout=10s"), KubeEnv(), TimeSpan.FromSeconds(30));

    private void Log(string line) => output.WriteLine(line);

    [Fact]
    public void T01_starts_and_writes_sandbox_json()
    {
        Log(sandbox.Output);
        Assert.False(sandbox.Process.HasExited, "the sandbox keeps running");
        Assert.True(sandbox.ManifestAfter is not null, $"sandbox.json within {SandboxFixture.StartLimit.TotalSeconds} s");
        Log($"sandbox.json after {sandbox.ManifestAfter!.Value.TotalSeconds:0.0} s");
    }

    [Fact]
    public void T02_reports_ready_and_a_node_forges()
    {
        var ready = sandbox.ReadyLine();
        Log(ready ?? "(no ready line)");
        Assert.True(ready is not null, "`sandbox ready` printed (needs the coordinator's grants and CRD projection)\n" + sandbox.Output);
        // "ready" is verified forging; the first forged slot follows within a few slots: wait for it with a deadline.
        ForgeLine? first = null;
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (first is null && DateTime.UtcNow < deadline)
        {
            first = sandbox.ForgeLogs().SelectMany(ForgeLogChecker.Read).Where(l => l.Slot is not null).MinBy(l => l.At);
            if (first is null) Thread.Sleep(200); // poll interval, bounded by the deadline above
        }
        Assert.NotNull(first);
        // The issue's goal is 30 s from the command; speed is reported here and measured by the benchmarks, not asserted
        // (a loaded 2-core CI machine takes longer to start ~20 .NET processes).
        var after = first.At - sandbox.StartedAt;
        Log($"first forged slot {first.Slot} by {first.Node} {after.TotalSeconds:0.0} s after the command (goal: 30 s)");
    }

    [Fact]
    public void T03_sandbox_json_is_correct_every_pid_alive_every_url_answers()
    {
        var m = sandbox.Manifest();
        Assert.True(Path.IsPathRooted(m.Kubeconfig) && File.Exists(m.Kubeconfig));
        Assert.Equal(["us-east-1-prod", "us-west-2-prod", "eu-west-1-prod"], m.Regions.Select(r => r.Name));
        Assert.Equal(["us-east-1", "us-west-2", "eu-west-1"], m.Regions.Select(r => r.Region));
        Assert.Equal([1, 2, 3], m.Regions.Select(r => r.Priority));
        foreach (var r in m.Regions)
        {
            Assert.Equal(r.Name, r.Context);
            Assert.Equal(200, Get(r.KubeApi + "/version"));
            Assert.NotEmpty(r.Coordinators);
            foreach (var c in r.Coordinators)
            {
                Assert.True(ProcFs.Alive(c.Pid), $"coordinator pid {c.Pid} alive");
                Assert.Equal(200, Get(c.Metrics));
                Assert.Matches(@"^127\.0\.0\.1:\d+$", c.Shell);
            }
            Assert.Equal(["cardano-bp-0", "cardano-bp-1"], r.Nodes.Select(n => n.Pod));
            foreach (var n in r.Nodes)
            {
                Assert.Equal($"{r.Name}/{n.Pod}", n.Id);
                foreach (var (what, pid) in new[] { ("fence", n.FencePid), ("agent", n.AgentPid), ("node", n.NodePid) })
                    Assert.True(ProcFs.Alive(pid), $"{n.Id} {what} pid {pid} alive");
                Assert.True(Path.IsPathRooted(n.ForgeLog), n.ForgeLog);
                Assert.True(Uri.IsWellFormedUriString(n.AgentMetrics, UriKind.Absolute));
                Assert.Equal(200, Get(n.AgentMetrics));
            }
        }
    }

    [Fact]
    public void T03b_coordinators_form_one_cluster_over_tls_with_every_region()
    {
        var m = sandbox.Manifest();
        var members = "";
        Poll.Until(() =>
        {
            members = GetText(m.Regions[0].Coordinators[0].Metrics.Replace("/metrics", "/cluster/members", StringComparison.Ordinal));
            return m.Regions.All(r => members.Contains($"\"region:{r.Region}\"", StringComparison.Ordinal))
                   && members.Split("\"status\":\"Up\"").Length - 1 == m.Regions.Sum(r => r.Coordinators.Count);
        }, TimeSpan.FromSeconds(60), "every coordinator Up");
        Log(members);
        Assert.DoesNotContain("akka.tcp://", members, StringComparison.Ordinal);
        Assert.Contains("akka.ssl.tcp://", members, StringComparison.Ordinal);
    }

    [Fact]
    public void T03c_pool_credentials_are_0600_and_never_logged()
    {
        var m = sandbox.Manifest();
        var secrets = Directory.EnumerateFiles(sandbox.Dir, "*.skey", SearchOption.AllDirectories)
            .Concat(Directory.EnumerateFiles(sandbox.Dir, "*.key", SearchOption.AllDirectories)).ToList();
        Assert.NotEmpty(secrets);
        foreach (var f in secrets)
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(f));
        var kes = File.ReadAllText(Path.Combine(sandbox.Dir, "us-east-1-prod", "cardano-bp-0", "secrets", "kes.skey"));
        var hex = System.Text.RegularExpressions.Regex.Match(kes, "\"cborHex\"\\s*:\\s*\"([0-9a-f]+)\"").Groups[1].Value;
        Assert.True(hex.Length > 32);
        var logs = Directory.EnumerateFiles(sandbox.Dir, "*.log", SearchOption.AllDirectories).Append(sandbox.OutputPath).ToList();
        Assert.True(logs.Count > m.Regions.Sum(r => r.Nodes.Count));
        foreach (var log in logs)
            Assert.DoesNotContain(hex.Substring(8, 32), SandboxFixture.ReadShared(log), StringComparison.Ordinal);
    }

    [Fact]
    public void T04_kubectl_lists_the_clusters_and_pods_with_the_sandbox_kubeconfig()
    {
        var cfc = Kubectl("get", "cardanoforgeclusters", "-o", "wide");
        Log(cfc.Out + cfc.Err);
        Assert.Equal(0, cfc.Code);
        Assert.Matches(@"NAME\s+STATE\s+PRIORITY\s+REGION\s+ACTIVE LEADER\s+HEALTHY\s+AGE", cfc.Out);
        foreach (var name in new[] { "us-east-1-prod", "us-west-2-prod", "eu-west-1-prod" }) Assert.Contains(name, cfc.Out, StringComparison.Ordinal);

        foreach (var ctx in new[] { "us-west-2-prod", "eu-west-1-prod" })
        {
            var other = Kubectl("--context", ctx, "get", "cfc", "-o", "name");
            Assert.Equal(0, other.Code);
            Assert.Equal(3, other.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
        }

        var pods = Kubectl("get", "pods", "-l", "app=cardano-node");
        Log(pods.Out + pods.Err);
        Assert.Equal(0, pods.Code);
        Assert.Contains("cardano-bp-0", pods.Out, StringComparison.Ordinal);
        Assert.Contains("cardano-bp-1", pods.Out, StringComparison.Ordinal);

        var logs = Kubectl("logs", "-l", "app=cardano-node", "-c", "forge-manager", "--tail=5");
        Log(logs.Out + logs.Err);
        Assert.Equal(0, logs.Code);
        Assert.NotEmpty(logs.Out.Trim());
    }

    [Fact]
    public void T06_a_killed_fence_is_restarted_whole_and_sandbox_json_is_rewritten()
    {
        var before = sandbox.Manifest().Regions[2].Nodes[1]; // eu-west-1-prod/cardano-bp-1: a standby
        Assert.True(Native.Kill(before.FencePid, Native.SIGKILL));
        Poll.Until(() => !ProcFs.Alive(before.NodePid) && !ProcFs.Alive(before.AgentPid), TimeSpan.FromSeconds(5),
            "node and agent die with their fence");
        NodeManifest? after = null;
        Poll.Until(() =>
        {
            after = sandbox.Manifest().Regions[2].Nodes[1];
            return after.FencePid != before.FencePid && after.AgentPid != before.AgentPid && after.NodePid != before.NodePid
                   && ProcFs.Alive(after.FencePid) && ProcFs.Alive(after.AgentPid) && ProcFs.Alive(after.NodePid);
        }, TimeSpan.FromSeconds(40), "a new fence, agent and node in sandbox.json");
        Log($"fence {before.FencePid} -> {after!.FencePid}, agent {before.AgentPid} -> {after.AgentPid}, node {before.NodePid} -> {after.NodePid}");
    }

    [Fact]
    public void T07_a_killed_agent_is_restarted_by_its_fence()
    {
        var before = sandbox.Manifest().Regions[1].Nodes[1]; // us-west-2-prod/cardano-bp-1
        Assert.True(Native.Kill(before.AgentPid, Native.SIGKILL));
        NodeManifest? after = null;
        Poll.Until(() =>
        {
            after = sandbox.Manifest().Regions[1].Nodes[1];
            return after.AgentPid != before.AgentPid && ProcFs.Alive(after.AgentPid);
        }, TimeSpan.FromSeconds(30), "a new agent in sandbox.json");
        Assert.Equal(before.FencePid, after!.FencePid);
        Assert.Equal(before.NodePid, after.NodePid); // disabled, not restarted
    }

    [Fact]
    public void T05_maintenance_failover_and_restore_hand_over_with_no_slot_forged_twice()
    {
        var scripts = Path.Combine(Binaries.RepositoryRoot(AppContext.BaseDirectory)!, "deploy", "scripts");
        var env = KubeEnv();
        env["MONITORING_URL"] = "";
        env["POLL_SECONDS"] = "1";
        // without a forger (parts not landed) the scripts still run their kubectl steps, with short waits
        env["WAIT_SECONDS"] = sandbox.ReadyLine() is null ? "5" : "90"; // a deadline for the scripts' waits, not a speed target
        var failoverAt = DateTimeOffset.UtcNow;
        var failover = Run.Program("bash", [Path.Combine(scripts, "failover-for-maintenance.sh")], env, TimeSpan.FromSeconds(90));
        Log(failover.Out + failover.Err);
        // The script ends once the secondary is verified forging (its status); its first slot may be up to one slot
        // later, and the restore would move forging back before it: wait (deadline) for that slot first.
        if (failover.Code == 0) AwaitSlotForgedIn("us-west-2-prod", failoverAt);
        var restoreAt = DateTimeOffset.UtcNow;
        var restore = Run.Program("bash", [Path.Combine(scripts, "restore-after-maintenance.sh")], env, TimeSpan.FromSeconds(150));
        Log(restore.Out + restore.Err);
        // likewise the primary's first slot after the restore may come a slot after the script saw its status
        if (restore.Code == 0) AwaitSlotForgedIn("us-east-1-prod", restoreAt);

        var logs = sandbox.ForgeLogs().Select(ForgeLogChecker.Read).ToList();
        var violations = ForgeLogChecker.Violations(logs);
        Assert.True(violations.Count == 0, string.Join('\n', violations));
        Assert.Equal(0, failover.Code);
        Assert.Equal(0, restore.Code);
        var slots = logs.SelectMany(l => l).Where(l => l.Slot is not null).ToList();
        Assert.Contains(slots, l => l.Node.StartsWith("us-west-2-prod/", StringComparison.Ordinal) && l.At > failoverAt && l.At < restoreAt);
        Assert.Contains(slots, l => l.Node.StartsWith("us-east-1-prod/", StringComparison.Ordinal) && l.At > restoreAt);
    }

    private void AwaitSlotForgedIn(string cluster, DateTimeOffset after) =>
        Poll.Until(() => sandbox.ForgeLogs().Select(ForgeLogChecker.Read).SelectMany(l => l)
                .Any(l => l.Slot is not null && l.Node.StartsWith(cluster + "/", StringComparison.Ordinal) && l.At > after),
            TimeSpan.FromSeconds(30), $"a slot forged by {cluster} after {after:HH:mm:ss.f}");

    [Fact]
    public void T08_the_forge_logs_never_show_a_slot_forged_twice()
    {
        var violations = ForgeLogChecker.Violations(sandbox.ForgeLogs());
        Assert.True(violations.Count == 0, string.Join('\n', violations));
    }

    [Fact]
    public void T99_sigterm_stops_everything_and_leaves_no_process()
    {
        Assert.True(Native.Kill(sandbox.Process.Id, Native.SIGTERM));
        Assert.True(sandbox.Process.WaitForExit(60_000), "the sandbox exits within 60 s of SIGTERM");
        Log(sandbox.Output.Split('\n').Reverse().Take(5).Reverse().Aggregate("", (a, b) => a + b + "\n"));
        Poll.Until(() => ProcFs.WithCommandLineContaining(sandbox.Dir, Environment.ProcessId).Count == 0, TimeSpan.FromSeconds(5),
            "no process names the sandbox directory");
        Assert.Equal(0, sandbox.Process.ExitCode);
    }

    private static string GetText(string url)
    {
        try
        {
            return Http.GetStringAsync(url).GetAwaiter().GetResult();
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            return "";
        }
    }

    private static int Get(string url)
    {
        try
        {
            using var r = Http.GetAsync(url).GetAwaiter().GetResult();
            return (int)r.StatusCode;
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            return -1;
        }
    }
}
