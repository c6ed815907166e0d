using System.Text.Json.Nodes;
using Forge.KubeApiEmulator;
using Forge.Shell.Palettes.Forge;
using Forge.Kubernetes;
using k8s;
using Xunit;

namespace Forge.Shell.Tests.Palettes;

/// <summary>The spec writer through the CRD projection's Kubernetes API class against the Kubernetes API emulator, with
/// the repository's CRD and the guide's clusters: the fields an operator would patch, and the apiserver's refusals.</summary>
public sealed class ClusterApiSpecWriterSpec : IAsyncLifetime
{
    private const string Collection = "apis/cardano.io/v1/namespaces/cardano/cardanoforgeclusters";
    private static readonly string Root = FindRoot();
    private readonly string _dir = Directory.CreateTempSubdirectory("shell-kube-").FullName;
    private readonly KubeApiEmulatorServer _server = new(new EmulatorOptions { CrdPaths = [Path.Combine(Root, "deploy", "crd", "cardanoforgeclusters.cardano.io.yaml")] });
    private k8s.Kubernetes _client = null!;
    private ClusterApiSpecWriter _writer = null!;

    public async Task InitializeAsync()
    {
        await _server.StartAsync();
        foreach (var region in new[] { "us-east-1", "us-west-2" })
            _server.ApplyManifest(await File.ReadAllTextAsync(Path.Combine(Root, "deploy", "overlays", region, "cardanoforgecluster.yaml")));
        var kubeconfig = _server.WriteKubeconfig(Path.Combine(_dir, "kubeconfig"));
        _client = new k8s.Kubernetes(KubernetesClientConfiguration.BuildConfigFromConfigFile(kubeconfig));
        _writer = new ClusterApiSpecWriter(new KubernetesForgeClusterApi(_client, "cardano", TimeSpan.FromSeconds(10), "forge-manager"));
    }

    public async Task DisposeAsync()
    {
        _client.Dispose();
        await _server.DisposeAsync();
        Directory.Delete(_dir, recursive: true);
    }

    [Fact]
    public async Task Failover_then_restore_write_the_override_an_operator_would()
    {
        var expires = new DateTimeOffset(2030, 1, 2, 3, 4, 5, TimeSpan.Zero);
        await _writer.PatchAsync(ForgeSpecPatch.Failover("us-west-2-prod", "planned maintenance", expires), CancellationToken.None);
        var o = (await Spec("us-west-2-prod"))["override"]!;
        Assert.True(o["enabled"]!.GetValue<bool>());
        Assert.Equal("Enabled", o["forceState"]!.GetValue<string>());
        Assert.Equal("planned maintenance", o["reason"]!.GetValue<string>());
        Assert.Equal("2030-01-02T03:04:05Z", o["expiresAt"]!.GetValue<string>());

        await _writer.PatchAsync(ForgeSpecPatch.Disable("us-east-1-prod", "maintenance"), CancellationToken.None);
        Assert.Equal("Disabled", (await Spec("us-east-1-prod"))["override"]!["forceState"]!.GetValue<string>());

        await _writer.PatchAsync(ForgeSpecPatch.Restore("us-west-2-prod", resetDisabledState: true), CancellationToken.None);
        var restored = await Spec("us-west-2-prod");
        Assert.False(restored["override"]!["enabled"]!.GetValue<bool>());
        Assert.Equal("Priority-based", restored["forgeState"]!.GetValue<string>());
        Assert.Equal(2, restored["priority"]!.GetValue<int>());
    }

    [Fact]
    public async Task A_failover_without_expiry_removes_an_earlier_one()
    {
        await _writer.PatchAsync(ForgeSpecPatch.Failover("us-west-2-prod", "a", DateTimeOffset.UtcNow.AddHours(1)), CancellationToken.None);
        await _writer.PatchAsync(ForgeSpecPatch.Failover("us-west-2-prod", "b", null), CancellationToken.None);
        var o = (await Spec("us-west-2-prod"))["override"]!.AsObject();
        Assert.False(o.ContainsKey("expiresAt"));
        Assert.Equal("b", o["reason"]!.GetValue<string>());
    }

    [Fact]
    public async Task Refusals_become_operator_messages()
    {
        var missing = await Assert.ThrowsAsync<ForgeSpecWriteException>(() =>
            _writer.PatchAsync(ForgeSpecPatch.Disable("mars-prod", "x"), CancellationToken.None));
        Assert.Equal("cardanoforgeclusters.cardano.io \"mars-prod\" not found", missing.Message);

        var invalid = await Assert.ThrowsAsync<ForgeSpecWriteException>(() =>
            _writer.PatchAsync(new ForgeSpecPatch("us-east-1-prod", new OverridePatch(true, "x", "Maybe")), CancellationToken.None));
        Assert.StartsWith("invalid: ", invalid.Message);
        Assert.Contains("Maybe", invalid.Message);
    }

    private async Task<JsonObject> Spec(string name)
    {
        using var http = new HttpClient { BaseAddress = _server.BaseUrl };
        var body = JsonNode.Parse(await http.GetStringAsync($"{Collection}/{name}"))!;
        return body["spec"]!.AsObject();
    }

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Coordinator.sln"))) return dir.FullName;
        throw new InvalidOperationException("repository root (Coordinator.sln) not found above " + AppContext.BaseDirectory);
    }
}
