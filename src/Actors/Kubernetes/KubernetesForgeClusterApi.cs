using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.Json.Nodes;
using k8s;
using k8s.Autorest;
using k8s.Models;

namespace Forge.Kubernetes;

/// <summary>
/// The one class that talks to KubernetesClient for CardanoForgeClusters: per-request timeouts, Kubernetes errors
/// mapped to <see cref="KubeApiException"/> (403s name the permission that is missing).
/// </summary>
public sealed class KubernetesForgeClusterApi(IKubernetes client, string @namespace, TimeSpan requestTimeout, string serviceAccount)
    : IForgeClusterApi
{
    private readonly KubeCalls _calls = new(@namespace, requestTimeout, serviceAccount);
    private const string Group = "cardano.io";
    private const string Version = "v1";
    private const string Plural = "cardanoforgeclusters";
    private const string FieldManager = "forge-coordinator";

    public async Task<(IReadOnlyList<ForgeClusterObject> Items, string ResourceVersion)> ListAsync(CancellationToken ct)
    {
        var list = await _calls.Call("list cardanoforgeclusters", c =>
            client.CustomObjects.ListNamespacedCustomObjectAsync<JsonElement>(Group, Version, @namespace, Plural, cancellationToken: c), ct);
        var node = JsonNode.Parse(list.GetRawText())!.AsObject();
        var items = (node["items"] as JsonArray ?? []).OfType<JsonObject>().Select(ForgeClusterObject.FromJson).ToList();
        return (items, node["metadata"]?["resourceVersion"]?.GetValue<string>() ?? "");
    }

    public async IAsyncEnumerable<ForgeClusterChange> WatchAsync(string resourceVersion, [EnumeratorCancellation] CancellationToken ct)
    {
        // KubernetesClient hands ERROR events (a Status, e.g. 410 Gone) to onError instead of yielding them.
        Exception? statusError = null;
        await using var events = client.CustomObjects.WatchListNamespacedCustomObjectAsync(Group, Version, @namespace, Plural,
            allowWatchBookmarks: false, resourceVersion: resourceVersion, timeoutSeconds: 300,
            onError: e => statusError ??= e, cancellationToken: ct).GetAsyncEnumerator(ct);
        while (true)
        {
            (WatchEventType Type, object Item) next;
            try
            {
                if (!await events.MoveNextAsync()) break;
                next = events.Current;
            }
            catch (HttpOperationException e)
            {
                throw _calls.Map("watch cardanoforgeclusters", e.Response.StatusCode, e.Response.Content, e);
            }
            catch (HttpRequestException e)
            {
                throw new KubeApiException(KubeApiError.Unavailable, $"watch cardanoforgeclusters: the Kubernetes API is unreachable: {e.Message}", e);
            }
            var obj = (next.Item is JsonElement je ? JsonNode.Parse(je.GetRawText()) : JsonSerializer.SerializeToNode(next.Item)) as JsonObject;
            if (next.Type == WatchEventType.Error)
            {
                var code = obj?["code"]?.GetValue<int>() ?? 0;
                throw new KubeApiException(code == 410 ? KubeApiError.Gone : KubeApiError.Unavailable,
                    $"watch ended with {code}: {obj?["message"]}");
            }
            if (obj is null || next.Type == WatchEventType.Bookmark) continue;
            yield return new ForgeClusterChange(
                next.Type == WatchEventType.Deleted ? ForgeClusterChangeType.Deleted : ForgeClusterChangeType.Upserted,
                ForgeClusterObject.FromJson(obj));
        }
        if (statusError is KubernetesException { Status: { } status })
            throw new KubeApiException(status.Code == 410 ? KubeApiError.Gone : KubeApiError.Unavailable,
                $"watch ended with {status.Code}: {status.Message}", statusError);
        if (statusError is not null)
            throw new KubeApiException(KubeApiError.Unavailable, $"watch failed: {statusError.Message}", statusError);
    }

    public Task PatchStatusAsync(string name, JsonObject status, CancellationToken ct) =>
        _calls.Call("patch cardanoforgeclusters/status", c => client.CustomObjects.PatchNamespacedCustomObjectStatusAsync(
            new V1Patch(new JsonObject { ["status"] = status.DeepClone() }.ToJsonString(), V1Patch.PatchType.MergePatch),
            Group, Version, @namespace, Plural, name, fieldManager: FieldManager, cancellationToken: c), ct);

    public Task PatchSpecAsync(string name, JsonObject specPatch, CancellationToken ct) =>
        _calls.Call("patch cardanoforgeclusters", c => client.CustomObjects.PatchNamespacedCustomObjectAsync(
            new V1Patch(new JsonObject { ["spec"] = specPatch.DeepClone() }.ToJsonString(), V1Patch.PatchType.MergePatch),
            Group, Version, @namespace, Plural, name, fieldManager: FieldManager, cancellationToken: c), ct);

    public Task CreateAsync(string name, JsonObject spec, CancellationToken ct)
    {
        var body = new JsonObject
        {
            ["apiVersion"] = $"{Group}/{Version}",
            ["kind"] = "CardanoForgeCluster",
            ["metadata"] = new JsonObject { ["name"] = name, ["namespace"] = @namespace },
            ["spec"] = spec.DeepClone(),
        };
        return _calls.Call("create cardanoforgeclusters", c => client.CustomObjects.CreateNamespacedCustomObjectAsync(
            JsonSerializer.Deserialize<JsonElement>(body.ToJsonString()), Group, Version, @namespace, Plural,
            fieldManager: FieldManager, cancellationToken: c), ct);
    }

    public Task DeleteAsync(string name, string uid, CancellationToken ct) =>
        _calls.Call("delete cardanoforgeclusters", c => client.CustomObjects.DeleteNamespacedCustomObjectAsync(
            Group, Version, @namespace, Plural, name,
            body: new V1DeleteOptions { Preconditions = new V1Preconditions { Uid = uid } }, cancellationToken: c), ct);

    public Task RecordEventAsync(ForgeClusterObject about, string type, string reason, string message, CancellationToken ct)
    {
        var now = DateTime.UtcNow;
        var ev = new Corev1Event
        {
            Metadata = new V1ObjectMeta { GenerateName = about.Name + ".", NamespaceProperty = @namespace },
            InvolvedObject = new V1ObjectReference
            {
                ApiVersion = $"{Group}/{Version}", Kind = "CardanoForgeCluster", Name = about.Name,
                NamespaceProperty = @namespace, Uid = about.Uid, ResourceVersion = about.ResourceVersion,
            },
            Type = type,
            Reason = reason,
            Message = message,
            FirstTimestamp = now,
            LastTimestamp = now,
            Count = 1,
            Source = new V1EventSource { Component = "forge-coordinator" },
            ReportingComponent = "forge-coordinator",
        };
        return _calls.Call("create events", c => client.CoreV1.CreateNamespacedEventAsync(ev, @namespace, cancellationToken: c), ct);
    }
}
