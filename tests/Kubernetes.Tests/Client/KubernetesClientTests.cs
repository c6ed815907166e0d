using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using Forge.KubeApiEmulator;
using Forge.Kubernetes.Tests.Support;
using k8s;
using k8s.Autorest;
using k8s.Models;

namespace Forge.Kubernetes.Tests.Client;

/// <summary>KubernetesClient 21.0.8 against the emulator: the calls the coordinator and the agent make.</summary>
public sealed class KubernetesClientTests(EmulatorFixture emulator) : IClassFixture<EmulatorFixture>, IAsyncLifetime
{
    private const string Group = "cardano.io";
    private const string Version = "v1";
    private const string Plural = "cardanoforgeclusters";
    private const string Ns = EmulatorFixture.Namespace;

    private readonly k8s.Kubernetes _client = new(KubernetesClientConfiguration.BuildConfigFromConfigFile(emulator.KubeconfigPath));

    public async Task InitializeAsync()
    {
        emulator.Server.Fault = FaultMode.None;
        await emulator.ResetClustersAsync();
    }

    public Task DisposeAsync()
    {
        emulator.Server.Fault = FaultMode.None;
        _client.Dispose();
        return Task.CompletedTask;
    }

    [Fact]
    public async Task Lists_the_clusters_with_a_label_selector()
    {
        var all = await _client.ListNamespacedCustomObjectAsync<JsonElement>(Group, Version, Ns, Plural);
        var east = await _client.ListNamespacedCustomObjectAsync<JsonElement>(Group, Version, Ns, Plural, labelSelector: "cardano.io/region=us-east-1");

        Assert.Equal(3, all.GetProperty("items").GetArrayLength());
        Assert.Equal("us-east-1-prod", east.GetProperty("items")[0].GetProperty("metadata").GetProperty("name").GetString());
        Assert.Single(east.GetProperty("items").EnumerateArray());
    }

    [Fact]
    public async Task Merge_patching_status_keeps_spec_and_generation()
    {
        var patch = new V1Patch("{\"status\":{\"activeLeader\":\"cardano-node-1\",\"forgingEnabled\":true}}", V1Patch.PatchType.MergePatch);

        var result = (JsonElement)await _client.PatchNamespacedCustomObjectStatusAsync(patch, Group, Version, Ns, Plural, "us-west-2-prod");

        Assert.Equal("cardano-node-1", result.GetProperty("status").GetProperty("activeLeader").GetString());
        Assert.Equal(1, result.GetProperty("metadata").GetProperty("generation").GetInt64());
        Assert.Equal(2, result.GetProperty("spec").GetProperty("priority").GetInt32());
    }

    [Fact]
    public async Task A_stale_resource_version_is_a_409_conflict()
    {
        var current = JsonNode.Parse(((JsonElement)await _client.GetNamespacedCustomObjectAsync(Group, Version, Ns, Plural, "us-east-1-prod")).GetRawText())!;
        var stale = current.DeepClone();
        current["status"]!["message"] = "first writer";
        await _client.ReplaceNamespacedCustomObjectStatusAsync(current, Group, Version, Ns, Plural, "us-east-1-prod");

        stale["status"]!["message"] = "second writer";
        var e = await Assert.ThrowsAsync<HttpOperationException>(() =>
            _client.ReplaceNamespacedCustomObjectStatusAsync(stale, Group, Version, Ns, Plural, "us-east-1-prod"));

        Assert.Equal(HttpStatusCode.Conflict, e.Response.StatusCode);
        Assert.Contains("the object has been modified", e.Response.Content);
    }

    [Fact]
    public async Task An_invalid_spec_is_a_422_with_causes()
    {
        var patch = new V1Patch("{\"spec\":{\"priority\":0}}", V1Patch.PatchType.MergePatch);

        var e = await Assert.ThrowsAsync<HttpOperationException>(() =>
            _client.PatchNamespacedCustomObjectAsync(patch, Group, Version, Ns, Plural, "us-east-1-prod"));

        Assert.Equal(HttpStatusCode.UnprocessableEntity, e.Response.StatusCode);
        var status = JsonNode.Parse(e.Response.Content)!;
        Assert.Equal("spec.priority", (string?)status["details"]!["causes"]![0]!["field"]);
    }

    [Fact]
    public async Task Watch_delivers_changes_and_resumes_from_a_resource_version()
    {
        var list = await _client.ListNamespacedCustomObjectAsync<JsonElement>(Group, Version, Ns, Plural);
        var listRv = list.GetProperty("metadata").GetProperty("resourceVersion").GetString();
        await Patch("us-west-2-prod", "{\"spec\":{\"priority\":5}}");
        await Patch("eu-west-1-prod", "{\"spec\":{\"priority\":6}}");

        await using var resumed = Watch(listRv);
        var first = await resumed.NextAsync();
        var second = await resumed.NextAsync();

        Assert.Equal((WatchEventType.Modified, "us-west-2-prod"), (first.Type, Name(first.Object)));
        Assert.Equal((WatchEventType.Modified, "eu-west-1-prod"), (second.Type, Name(second.Object)));

        await Patch("us-east-1-prod", "{\"spec\":{\"forgeState\":\"Disabled\"}}");
        var live = await resumed.NextAsync();
        Assert.Equal((WatchEventType.Modified, "us-east-1-prod"), (live.Type, Name(live.Object)));
    }

    [Fact]
    public async Task A_no_op_write_keeps_the_resource_version_and_emits_no_event()
    {
        var list = await _client.ListNamespacedCustomObjectAsync<JsonElement>(Group, Version, Ns, Plural);
        var listRv = list.GetProperty("metadata").GetProperty("resourceVersion").GetString();
        emulator.Server.ClearRequests();

        await Patch("us-west-2-prod", "{\"spec\":{\"priority\":2}}");
        await _client.PatchNamespacedCustomObjectStatusAsync(
            new V1Patch("{\"status\":{\"effectivePriority\":2}}", V1Patch.PatchType.MergePatch), Group, Version, Ns, Plural, "us-west-2-prod");
        await Patch("eu-west-1-prod", "{\"spec\":{\"priority\":4}}");

        await using var watch = Watch(listRv);
        var first = await watch.NextAsync();
        Assert.Equal((WatchEventType.Modified, "eu-west-1-prod"), (first.Type, Name(first.Object)));
        Assert.Equal(3, emulator.Server.Requests.Count(r => r.Method == "PATCH" && r.StatusCode == 200));
    }

    [Fact]
    public async Task A_selector_watch_sees_objects_leave_and_enter_the_selection()
    {
        var list = await _client.ListNamespacedCustomObjectAsync<JsonElement>(Group, Version, Ns, Plural);
        await using var watch = Watch(list.GetProperty("metadata").GetProperty("resourceVersion").GetString(), "cardano.io/region=us-east-1");

        await Patch("us-east-1-prod", "{\"metadata\":{\"labels\":{\"cardano.io/region\":null}}}");
        await Patch("us-west-2-prod", "{\"spec\":{\"priority\":8}}");
        await Patch("us-east-1-prod", "{\"metadata\":{\"labels\":{\"cardano.io/region\":\"us-east-1\"}}}");

        var left = await watch.NextAsync();
        var entered = await watch.NextAsync();
        Assert.Equal((WatchEventType.Deleted, "us-east-1-prod"), (left.Type, Name(left.Object)));
        Assert.Equal((WatchEventType.Added, "us-east-1-prod"), (entered.Type, Name(entered.Object)));
    }

    [Fact]
    public async Task Watch_without_a_resource_version_starts_with_the_current_objects()
    {
        await using var watch = Watch(resourceVersion: null);
        var names = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            var e = await watch.NextAsync();
            Assert.Equal(WatchEventType.Added, e.Type);
            names.Add(Name(e.Object));
        }

        Assert.Equal(["eu-west-1-prod", "us-east-1-prod", "us-west-2-prod"], names);
    }

    [Fact]
    public async Task A_compacted_resource_version_is_410_gone_and_a_relist_recovers()
    {
        var list = await _client.ListNamespacedCustomObjectAsync<JsonElement>(Group, Version, Ns, Plural);
        var oldRv = list.GetProperty("metadata").GetProperty("resourceVersion").GetString();
        await Patch("us-west-2-prod", "{\"spec\":{\"priority\":9}}");
        emulator.Server.CompactHistory();

        await using var watch = Watch(oldRv);
        var error = await watch.ErrorAsync();

        Assert.Contains("too old resource version", error.Message);
        var relisted = await _client.ListNamespacedCustomObjectAsync<JsonElement>(Group, Version, Ns, Plural);
        Assert.Contains(relisted.GetProperty("items").EnumerateArray(), i => i.GetProperty("spec").GetProperty("priority").GetInt32() == 9);
    }

    [Fact]
    public async Task Leases_have_client_go_semantics()
    {
        var lease = new V1Lease
        {
            Metadata = new V1ObjectMeta { Name = $"leader-{Guid.NewGuid():N}" },
            Spec = new V1LeaseSpec { HolderIdentity = "cardano-node-0", LeaseDurationSeconds = 15, AcquireTime = DateTime.UtcNow, RenewTime = DateTime.UtcNow },
        };
        var created = await _client.CreateNamespacedLeaseAsync(lease, Ns);

        var duplicate = await Assert.ThrowsAsync<HttpOperationException>(() => _client.CreateNamespacedLeaseAsync(lease, Ns));
        Assert.Equal(HttpStatusCode.Conflict, duplicate.Response.StatusCode);

        created.Spec.RenewTime = DateTime.UtcNow.AddSeconds(1);
        var renewed = await _client.ReplaceNamespacedLeaseAsync(created, created.Metadata.Name, Ns);
        Assert.NotEqual(created.Metadata.ResourceVersion, renewed.Metadata.ResourceVersion);

        created.Spec.HolderIdentity = "cardano-node-1"; // still carries the old resourceVersion
        var stolen = await Assert.ThrowsAsync<HttpOperationException>(() => _client.ReplaceNamespacedLeaseAsync(created, created.Metadata.Name, Ns));
        Assert.Equal(HttpStatusCode.Conflict, stolen.Response.StatusCode);

        var read = await _client.ReadNamespacedLeaseAsync(created.Metadata.Name, Ns);
        Assert.Equal("cardano-node-0", read.Spec.HolderIdentity);
        Assert.Null(read.Metadata.Generation);
    }

    [Fact]
    public async Task Events_can_be_recorded_through_either_events_api()
    {
        var uid = (string)(await emulator.GetClusterAsync("us-east-1-prod"))!["metadata"]!["uid"]!;
        await _client.EventsV1.CreateNamespacedEventAsync(new Eventsv1Event
        {
            Metadata = new V1ObjectMeta { GenerateName = "us-east-1-prod." },
            EventTime = DateTime.UtcNow,
            Regarding = new V1ObjectReference { Kind = "CardanoForgeCluster", Name = "us-east-1-prod", NamespaceProperty = Ns, Uid = uid, ApiVersion = "cardano.io/v1" },
            Reason = "OverrideExpired",
            Note = "override expired; priority-based operation restored",
            Type = "Normal",
            Action = "Restore",
            ReportingController = "cardano.io/forge-coordinator",
            ReportingInstance = "forge-coordinator-0",
        }, Ns);

        var core = await _client.CoreV1.ListNamespacedEventAsync(Ns, fieldSelector: $"involvedObject.name=us-east-1-prod,involvedObject.uid={uid}");

        var e = Assert.Single(core.Items, i => i.Reason == "OverrideExpired");
        Assert.Equal("override expired; priority-based operation restored", e.Message);
    }

    [Fact]
    public async Task An_unavailable_server_answers_503_and_a_hanging_one_times_out()
    {
        emulator.Server.Fault = FaultMode.Unavailable;
        var unavailable = await Assert.ThrowsAsync<HttpOperationException>(() =>
            _client.ListNamespacedCustomObjectAsync<JsonElement>(Group, Version, Ns, Plural));
        Assert.Equal(HttpStatusCode.ServiceUnavailable, unavailable.Response.StatusCode);

        emulator.Server.Fault = FaultMode.Hang;
        using var timeout = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() =>
            _client.ListNamespacedCustomObjectAsync<JsonElement>(Group, Version, Ns, Plural, cancellationToken: timeout.Token));

        emulator.Server.Fault = FaultMode.None;
        var list = await _client.ListNamespacedCustomObjectAsync<JsonElement>(Group, Version, Ns, Plural);
        Assert.Equal(3, list.GetProperty("items").GetArrayLength());
    }

    [Fact]
    public async Task A_hang_stalls_open_watches_and_an_outage_closes_them()
    {
        var list = await _client.ListNamespacedCustomObjectAsync<JsonElement>(Group, Version, Ns, Plural);
        await using var watch = Watch(list.GetProperty("metadata").GetProperty("resourceVersion").GetString());

        emulator.Server.Fault = FaultMode.Hang;
        emulator.Server.ApplyManifest("{\"apiVersion\":\"cardano.io/v1\",\"kind\":\"CardanoForgeCluster\",\"metadata\":{\"name\":\"eu-west-1-prod\"},\"spec\":{\"priority\":7}}");
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => watch.NextAsync(TimeSpan.FromMilliseconds(300)));

        emulator.Server.Fault = FaultMode.None;
        var released = await watch.NextAsync();
        Assert.Equal((WatchEventType.Modified, "eu-west-1-prod"), (released.Type, Name(released.Object)));

        emulator.Server.Fault = FaultMode.Unavailable;
        await Assert.ThrowsAsync<ChannelClosedException>(() => watch.NextAsync());
    }

    private async Task Patch(string name, string mergePatch) =>
        await _client.PatchNamespacedCustomObjectAsync(new V1Patch(mergePatch, V1Patch.PatchType.MergePatch), Group, Version, Ns, Plural, name);

    private static string Name(JsonElement o) => o.GetProperty("metadata").GetProperty("name").GetString()!;

    private WatchProbe Watch(string? resourceVersion, string? labelSelector = null) => new(_client, resourceVersion, labelSelector);

    /// <summary>A C# client watch whose events and errors are read one at a time with a deadline.</summary>
    private sealed class WatchProbe : IAsyncDisposable
    {
        private readonly Channel<(WatchEventType Type, JsonElement Object)> _events = Channel.CreateUnbounded<(WatchEventType, JsonElement)>();
        private readonly TaskCompletionSource<Exception> _error = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly Watcher<object> _watcher;

        public WatchProbe(k8s.Kubernetes client, string? resourceVersion, string? labelSelector)
        {
            _watcher = client.CustomObjects.WatchListNamespacedCustomObject(
                Group, Version, Ns, Plural, labelSelector: labelSelector, resourceVersion: resourceVersion, timeoutSeconds: 30,
                onEvent: (type, o) => _events.Writer.TryWrite((type, o is JsonElement e ? e : JsonSerializer.SerializeToElement(o))),
                onError: e => _error.TrySetResult(e),
                onClosed: () => _events.Writer.TryComplete());
        }

        public async Task<(WatchEventType Type, JsonElement Object)> NextAsync(TimeSpan? within = null)
        {
            using var cts = new CancellationTokenSource(within ?? TimeSpan.FromSeconds(10));
            return await _events.Reader.ReadAsync(cts.Token);
        }

        public Task<Exception> ErrorAsync() => _error.Task.WaitAsync(TimeSpan.FromSeconds(10));

        public ValueTask DisposeAsync()
        {
            _watcher.Dispose();
            return ValueTask.CompletedTask;
        }
    }
}
