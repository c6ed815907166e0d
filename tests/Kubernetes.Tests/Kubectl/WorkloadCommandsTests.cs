using System.Collections.Immutable;
using Forge.KubeApiEmulator;
using Forge.Kubernetes.Tests.Support;

namespace Forge.Kubernetes.Tests.Kubectl;

/// <summary>
/// Pods the sandbox registers: <c>kubectl get pods</c> and the guide's <c>kubectl logs</c> commands, and the
/// guide's StatefulSet patch that only a real cluster can serve.
/// </summary>
public sealed class WorkloadCommandsTests : IClassFixture<EmulatorFixture>
{
    private readonly EmulatorFixture _emulator;

    public WorkloadCommandsTests(EmulatorFixture emulator)
    {
        _emulator = emulator;
        for (var i = 0; i < 2; i++)
        {
            var log = Path.Combine(emulator.WorkDir, $"cardano-node-{i}.forge-manager.log");
            File.WriteAllLines(log, Enumerable.Range(1, 150).Select(n =>
                n % 10 == 0 ? $"pod {i} line {n}: health check ok" : $"pod {i} line {n}: renewed grant"));
            emulator.Server.RegisterPod(new PodRegistration(
                $"cardano-node-{i}",
                ImmutableDictionary<string, string>.Empty.Add("app", "cardano-node"),
                [new PodContainer("forge-manager", log), new PodContainer("cardano-node", log + ".node")],
                StatefulSet: "cardano-node"));
        }
    }

    [Fact]
    public async Task Get_pods_by_label_lists_the_registered_pods_as_running()
    {
        var result = await _emulator.Kubectl("kubectl get pods -l app=cardano-node");

        Assert.True(result.ExitCode == 0, result.ToString());
        var table = PrintedTable.Parse(result.Stdout);
        Assert.Equal(["NAME", "READY", "STATUS", "RESTARTS", "AGE"], table.Headers);
        Assert.Equal(["cardano-node-0", "cardano-node-1"], table.Rows.Select(r => r["NAME"]));
        Assert.All(table.Rows, r => Assert.Equal(("2/2", "Running"), (r["READY"], r["STATUS"])));
    }

    [Fact]
    public async Task Logs_by_label_feed_the_guides_grep_and_tail()
    {
        var health = await _emulator.Kubectl(GuideCommands.ForgeManagerLogsHealth);
        var tail = await _emulator.Kubectl(GuideCommands.ForgeManagerLogsTail);

        Assert.True(health.ExitCode == 0, health.ToString());
        // With a selector kubectl asks for the last 10 lines of each pod (its default --tail for -l).
        Assert.Equal(2, health.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
        Assert.Contains("pod 0 line 150: health check ok", health.Stdout);
        Assert.Contains("pod 1 line 150: health check ok", health.Stdout);
        Assert.Equal(20, tail.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
    }

    [Fact]
    public async Task Logs_of_the_statefulset_read_its_first_pod_with_tail()
    {
        var result = await _emulator.Kubectl(GuideCommands.StatefulSetLogs);

        Assert.True(result.ExitCode == 0, result.ToString());
        var lines = result.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(100, lines.Length);
        Assert.Equal("pod 0 line 51: renewed grant", lines[0]);
        Assert.Equal("pod 0 line 150: health check ok", lines[^1]);
    }

    [Fact]
    public async Task Following_a_log_streams_lines_as_they_are_written()
    {
        var log = Path.Combine(_emulator.WorkDir, "follower.log");
        await File.WriteAllTextAsync(log, "old line\nlast line\n");
        _emulator.Server.RegisterPod(new PodRegistration(
            "follower", ImmutableDictionary<string, string>.Empty.Add("app", "follower"), [new PodContainer("forge-manager", log)]));

        using var response = await _emulator.Http.GetAsync(
            "api/v1/namespaces/cardano/pods/follower/log?container=forge-manager&follow=true&tailLines=1", HttpCompletionOption.ResponseHeadersRead);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(10));

        Assert.Equal("last line", await reader.ReadLineAsync(deadline.Token));
        await File.AppendAllTextAsync(log, "new line\n");
        Assert.Equal("new line", await reader.ReadLineAsync(deadline.Token));
    }

    [Fact]
    public async Task The_statefulset_is_served_read_only()
    {
        var get = await _emulator.Kubectl("kubectl get statefulset cardano-node");
        var patch = await _emulator.Kubectl("kubectl patch statefulset cardano-node --type='merge' -p='{\"spec\":{\"replicas\":3}}'");

        Assert.True(get.ExitCode == 0, get.ToString());
        Assert.Equal("2/2", PrintedTable.Parse(get.Stdout).Row("cardano-node")["READY"]);
        Assert.Equal(1, patch.ExitCode);
        Assert.Contains("MethodNotAllowed", patch.Stderr);
    }

    [Fact]
    public async Task Leases_can_be_created_and_listed_with_kubectl()
    {
        var created = await _emulator.Kubectl("""
            kubectl apply -f - <<'EOF'
            apiVersion: coordination.k8s.io/v1
            kind: Lease
            metadata:
              name: cardano-node-forge-leader
            spec:
              holderIdentity: cardano-node-0
              leaseDurationSeconds: 15
            EOF
            kubectl get leases
            """);

        Assert.True(created.ExitCode == 0, created.ToString());
        Assert.Contains("lease.coordination.k8s.io/cardano-node-forge-leader created", created.Stdout);
        Assert.Equal("cardano-node-0", PrintedTable.Parse(created.Stdout[created.Stdout.IndexOf("NAME", StringComparison.Ordinal)..]).Row("cardano-node-forge-leader")["HOLDER"]);
    }
}
