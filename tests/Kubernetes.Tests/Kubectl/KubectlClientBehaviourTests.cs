using Forge.Kubernetes.Tests.Support;

namespace Forge.Kubernetes.Tests.Kubectl;

/// <summary>kubectl features around the guide's commands: watch, apply of the CRD, wait, explain, all namespaces.</summary>
public sealed class KubectlClientBehaviourTests(EmulatorFixture emulator) : IClassFixture<EmulatorFixture>, IAsyncLifetime
{
    public Task InitializeAsync() => emulator.ResetClustersAsync();

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task Get_watch_wide_prints_rows_as_status_changes()
    {
        await using var watch = BackgroundProcess.Start("kubectl", ["get", "cardanoforgeclusters", "--watch", "-o", "wide"], new Dictionary<string, string>
        {
            ["KUBECONFIG"] = emulator.KubeconfigPath,
            ["KUBECACHEDIR"] = Path.Combine(emulator.WorkDir, "cache"),
        });
        Assert.StartsWith("NAME", await watch.LineAsync(_ => true));
        await watch.LineAsync(l => l.StartsWith("us-west-2-prod", StringComparison.Ordinal));

        var status = EmulatorFixture.SampleStatus(2, forging: true);
        status["effectiveState"] = "Enabled";
        await emulator.WriteStatusAsync("us-west-2-prod", status);

        var row = await watch.LineAsync(l => l.StartsWith("us-west-2-prod", StringComparison.Ordinal) && l.Contains("Enabled", StringComparison.Ordinal));
        Assert.Matches(@"^us-west-2-prod\s+Enabled\s+2\s+us-west-2\s+cardano-bp-0\s+true\s+\d+s$", row);
    }

    [Fact]
    public async Task Applying_the_crd_again_is_accepted_and_it_reports_established()
    {
        var result = await emulator.Kubectl("""
            kubectl apply -f deploy/crd/cardanoforgeclusters.cardano.io.yaml
            kubectl apply -f deploy/crd/cardanoforgeclusters.cardano.io.yaml
            kubectl wait --for condition=established crd/cardanoforgeclusters.cardano.io --timeout=10s
            """);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("customresourcedefinition.apiextensions.k8s.io/cardanoforgeclusters.cardano.io unchanged", result.Stdout);
        Assert.Contains("condition met", result.Stdout);
    }

    [Fact]
    public async Task Explain_describes_the_override_fields()
    {
        var result = await emulator.Kubectl("kubectl explain cardanoforgeclusters.spec.override");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("forcePriority\t<integer>", result.Stdout);
        Assert.Contains("expiresAt\t<string>", result.Stdout);
    }

    [Fact]
    public async Task Short_name_and_all_namespaces_work()
    {
        var result = await emulator.Kubectl("kubectl get cfc -A");

        Assert.True(result.ExitCode == 0, result.ToString());
        var table = PrintedTable.Parse(result.Stdout);
        Assert.Equal(["NAMESPACE", "NAME", "STATE", "PRIORITY", "ACTIVE LEADER"], table.Headers);
        Assert.All(table.Rows, r => Assert.Equal("cardano", r["NAMESPACE"]));
    }

    [Fact]
    public async Task A_missing_cluster_is_reported_like_the_apiserver_does()
    {
        var result = await emulator.Kubectl("kubectl get cardanoforgeCluster ap-south-1-prod -o jsonpath='{.spec.priority}'");

        Assert.Equal(1, result.ExitCode);
        Assert.Equal("Error from server (NotFound): cardanoforgeclusters.cardano.io \"ap-south-1-prod\" not found\n", result.Stderr);
    }
}
