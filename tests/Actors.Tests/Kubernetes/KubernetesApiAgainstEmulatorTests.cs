using System.Text;
using System.Text.Json.Nodes;
using Akka.Actor;
using Akka.TestKit.Xunit2;
using Forge.Arbiter;
using Forge.KubeApiEmulator;
using Forge.Kubernetes;
using Forge.Specs;
using k8s;
using Xunit;

namespace Forge.Tests.Kubernetes;

/// <summary>The one KubernetesClient class (<see cref="KubernetesForgeClusterApi"/>) and the projection actor
/// against the Kubernetes API emulator, with the repository's CRD. The client runs as the coordinators'
/// ServiceAccount under deploy/base's Role, so every call it makes is one the least-privilege Role allows.</summary>
public sealed class KubernetesApiAgainstEmulatorTests : TestKit, IAsyncLifetime
{
    private const string Pool = "pool1qqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqq";
    private const string Collection = "apis/cardano.io/v1/namespaces/cardano/cardanoforgeclusters";
    private readonly KubeApiEmulatorServer _server = new(new EmulatorOptions { CrdPaths = [RepoRoot.File("deploy/crd/cardanoforgeclusters.cardano.io.yaml")] });
    private HttpClient _http = null!;
    private KubernetesForgeClusterApi _api = null!;
    private k8s.Kubernetes _client = null!;

    public async Task InitializeAsync()
    {
        await _server.StartAsync();
        _http = new HttpClient { BaseAddress = _server.BaseUrl, Timeout = TimeSpan.FromSeconds(10) };
        _server.ApplyManifest(await File.ReadAllTextAsync(RepoRoot.File("deploy/base/coordinator-rbac.yaml")), "cardano");
        var kubeconfig = _server.WriteKubeconfig(Path.Combine(Path.GetTempPath(), $"forge-manager-{Guid.NewGuid():N}.kubeconfig"),
            "cardano", serviceAccount: "cardano:forge-manager");
        var clientConfig = KubernetesClientConfiguration.BuildConfigFromConfigFile(kubeconfig);
        File.Delete(kubeconfig);
        _client = new k8s.Kubernetes(clientConfig);
        _api = new KubernetesForgeClusterApi(_client, "cardano", TimeSpan.FromSeconds(2),
            "system:serviceaccount:cardano:forge-manager");
        foreach (var (name, region, priority) in new[] { ("us-east-1-prod", "us-east-1", 1), ("us-west-2-prod", "us-west-2", 2) })
            _server.ApplyManifest($"""
                apiVersion: cardano.io/v1
                kind: CardanoForgeCluster
                metadata:
                  name: {name}
                  namespace: cardano
                spec:
                  region: {region}
                  priority: {priority}
                  forgeState: Priority-based
                  pool:
                    id: {Pool}
                """);
    }

    public async Task DisposeAsync()
    {
        _http.Dispose();
        _client.Dispose();
        await _server.DisposeAsync();
    }

    private async Task MergePatch(string path, string json)
    {
        using var content = new StringContent(json, Encoding.UTF8);
        content.Headers.ContentType = new("application/merge-patch+json");
        (await _http.PatchAsync(path, content)).EnsureSuccessStatusCode();
    }

    [Fact]
    public async Task Lists_watches_and_writes_through_the_real_client()
    {
        var (items, rv) = await _api.ListAsync(CancellationToken.None);
        Assert.Equal(["us-east-1-prod", "us-west-2-prod"], items.Select(i => i.Name).Order().ToArray());
        Assert.Equal((Pool, 1), (items.Single(i => i.Name == "us-east-1-prod").PoolId, items.Single(i => i.Name == "us-east-1-prod").Spec.Priority));

        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var watch = _api.WatchAsync(rv, cts.Token).GetAsyncEnumerator(cts.Token);
        await MergePatch($"{Collection}/us-west-2-prod", """{"spec":{"priority":5}}""");
        Assert.True(await watch.MoveNextAsync());
        Assert.Equal((ForgeClusterChangeType.Upserted, "us-west-2-prod", 5), (watch.Current.Type, watch.Current.Resource.Name, watch.Current.Resource.Spec.Priority));

        await _api.PatchStatusAsync("us-east-1-prod", new JsonObject { ["effectiveState"] = "Priority-based", ["activeLeader"] = "cardano-bp-0" }, cts.Token);
        await _api.PatchSpecAsync("us-east-1-prod", SpecPatches.Restore(resetDisabledState: true), cts.Token);
        var east = JsonNode.Parse(await _http.GetStringAsync($"{Collection}/us-east-1-prod"))!;
        Assert.Equal("cardano-bp-0", east["status"]!["activeLeader"]!.GetValue<string>());
        Assert.False(east["spec"]!["override"]!["enabled"]!.GetValue<bool>());

        var obj = ForgeClusterObject.FromJson(east.AsObject());
        await _api.RecordEventAsync(obj, "Normal", "ForgingMoved", "forging moved to us-east-1-prod/cardano-bp-0", cts.Token);
        var events = await _http.GetStringAsync("api/v1/namespaces/cardano/events");
        Assert.Contains("ForgingMoved", events);

        await _api.CreateAsync("eu-west-1-prod", new JsonObject { ["region"] = "eu-west-1", ["priority"] = 3, ["pool"] = new JsonObject { ["id"] = Pool } }, cts.Token);
        var created = (await _api.ListAsync(cts.Token)).Items.Single(i => i.Name == "eu-west-1-prod");
        await Assert.ThrowsAsync<KubeApiException>(() => _api.DeleteAsync("eu-west-1-prod", "not-its-uid", cts.Token));
        await _api.DeleteAsync("eu-west-1-prod", created.Uid, cts.Token);
        Assert.DoesNotContain((await _api.ListAsync(cts.Token)).Items, i => i.Name == "eu-west-1-prod");

        // The account is held to the Role: a read of one object (the projection never makes one) is refused.
        var refused = await Assert.ThrowsAsync<k8s.Autorest.HttpOperationException>(() =>
            _client.CustomObjects.GetNamespacedCustomObjectAsync("cardano.io", "v1", "cardano", "cardanoforgeclusters", "us-east-1-prod"));
        Assert.Equal(System.Net.HttpStatusCode.Forbidden, refused.Response.StatusCode);
    }

    [Fact]
    public async Task Bad_values_are_refused_as_Invalid()
    {
        var e = await Assert.ThrowsAsync<KubeApiException>(() =>
            _api.PatchSpecAsync("us-east-1-prod", new JsonObject { ["priority"] = 0 }, CancellationToken.None));
        Assert.Equal(KubeApiError.Invalid, e.Error);
    }

    [Fact]
    public async Task A_too_old_resource_version_is_Gone_and_outage_and_hang_are_reported()
    {
        var (_, rv) = await _api.ListAsync(CancellationToken.None);
        await MergePatch($"{Collection}/us-west-2-prod", """{"spec":{"priority":6}}""");
        _server.CompactHistory();
        var gone = await Assert.ThrowsAsync<KubeApiException>(async () =>
        {
            await foreach (var _ in _api.WatchAsync(rv, CancellationToken.None)) { }
        });
        Assert.Equal(KubeApiError.Gone, gone.Error);

        _server.Fault = FaultMode.Unavailable;
        Assert.Equal(KubeApiError.Unavailable, (await Assert.ThrowsAsync<KubeApiException>(() => _api.ListAsync(CancellationToken.None))).Error);
        _server.Fault = FaultMode.Hang;
        Assert.Equal(KubeApiError.Timeout, (await Assert.ThrowsAsync<KubeApiException>(() => _api.ListAsync(CancellationToken.None))).Error);
        _server.Fault = FaultMode.None;
    }

    [Fact]
    public async Task The_projection_feeds_a_kubectl_patch_to_the_store_and_writes_status_back()
    {
        var specs = CreateTestProbe();
        var settings = new ProjectionSettings("cardano", "default", "sa", TimeSpan.FromSeconds(2), TimeSpan.FromMilliseconds(200),
            TimeSpan.FromSeconds(5), TimeSpan.FromMinutes(5), TimeSpan.FromMilliseconds(50), TimeSpan.FromMilliseconds(500));
        var projection = Sys.ActorOf(CrdProjection.Props(_api, specs.Ref, CreateTestProbe().Ref, null, settings, "us-east-1"));
        specs.ExpectMsg<SubscribeSpecs>();
        specs.ExpectMsg<PutClusterSpec>();
        specs.ExpectMsg<PutClusterSpec>();

        await MergePatch($"{Collection}/us-east-1-prod", """{"spec":{"forgeState":"Disabled","override":{"enabled":true,"reason":"Scheduled maintenance"}}}""");
        var put = specs.FishForMessage<PutClusterSpec>(p => p.ClusterName == "us-east-1-prod", TimeSpan.FromSeconds(10));
        Assert.Equal("Disabled", put.Spec.ForgeState);
        Assert.Equal("Scheduled maintenance", put.Spec.Override!.Reason);

        var world = Forge.Tests.Decider.PoolWorld.Guide();
        var d = world.Step();
        projection.Tell(new PoolStateChanged(new PoolState(Pool, d.Target, d.Target, null, Forge.Protocol.TermId.None, "idle",
            d.Transition, d.Clusters, [], [], DateTimeOffset.UtcNow)));
        await AwaitConditionAsync(async () =>
            JsonNode.Parse(await _http.GetStringAsync($"{Collection}/us-west-2-prod"))!["status"]?["effectivePriority"]?.GetValue<int>() == 2,
            TimeSpan.FromSeconds(10));
    }
}

internal static class RepoRoot
{
    public static string File(string relative)
    {
        for (var d = new DirectoryInfo(AppContext.BaseDirectory); d is not null; d = d.Parent)
            if (System.IO.File.Exists(Path.Combine(d.FullName, "Coordinator.sln"))) return Path.Combine(d.FullName, relative);
        throw new InvalidOperationException("repository root (Coordinator.sln) not found");
    }
}
