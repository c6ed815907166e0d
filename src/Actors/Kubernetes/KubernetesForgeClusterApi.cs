using System.Net;
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
    private const string Group = "cardano.io";
    private const string Version = "v1";
    private const string Plural = "cardanoforgeclusters";
    private const string FieldManager = "forge-coordinator";

    public async Task<(IReadOnlyList<ForgeClusterObject> Items, string ResourceVersion)> ListAsync(CancellationToken ct)
    {
        var list = await Call("list cardanoforgeclusters", c =>
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
                throw Map("watch cardanoforgeclusters", e.Response.StatusCode, e.Response.Content, e);
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
        Call("patch cardanoforgeclusters/status", c => client.CustomObjects.PatchNamespacedCustomObjectStatusAsync(
            new V1Patch(new JsonObject { ["status"] = status.DeepClone() }.ToJsonString(), V1Patch.PatchType.MergePatch),
            Group, Version, @namespace, Plural, name, fieldManager: FieldManager, cancellationToken: c), ct);

    public Task PatchSpecAsync(string name, JsonObject specPatch, CancellationToken ct) =>
        Call("patch cardanoforgeclusters", c => client.CustomObjects.PatchNamespacedCustomObjectAsync(
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
        return Call("create cardanoforgeclusters", c => client.CustomObjects.CreateNamespacedCustomObjectAsync(
            JsonSerializer.Deserialize<JsonElement>(body.ToJsonString()), Group, Version, @namespace, Plural,
            fieldManager: FieldManager, cancellationToken: c), ct);
    }

    public Task DeleteAsync(string name, string uid, CancellationToken ct) =>
        Call("delete cardanoforgeclusters", c => client.CustomObjects.DeleteNamespacedCustomObjectAsync(
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
        return Call("create events", c => client.CoreV1.CreateNamespacedEventAsync(ev, @namespace, cancellationToken: c), ct);
    }

    private async Task<T> Call<T>(string verb, Func<CancellationToken, Task<T>> call, CancellationToken ct, TimeSpan? timeout = null)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var limit = timeout ?? requestTimeout;
        if (limit != Timeout.InfiniteTimeSpan) cts.CancelAfter(limit);
        try
        {
            return await call(cts.Token);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            throw new KubeApiException(KubeApiError.Timeout, $"{verb}: no answer within {limit.TotalSeconds:0.#}s");
        }
        catch (HttpOperationException e)
        {
            throw Map(verb, e.Response.StatusCode, e.Response.Content, e);
        }
        catch (HttpRequestException e)
        {
            throw new KubeApiException(KubeApiError.Unavailable, $"{verb}: the Kubernetes API is unreachable: {e.Message}", e);
        }
    }

    private async Task Call(string verb, Func<CancellationToken, Task> call, CancellationToken ct) =>
        await Call<bool>(verb, async c =>
        {
            await call(c);
            return true;
        }, ct);

    private KubeApiException Map(string verb, HttpStatusCode code, string? body, Exception inner)
    {
        var message = StatusMessage(body);
        return code switch
        {
            HttpStatusCode.Forbidden => new KubeApiException(KubeApiError.Forbidden,
                $"RBAC: {serviceAccount} may not {verb} in namespace {@namespace} ({message})", inner),
            HttpStatusCode.NotFound => new KubeApiException(KubeApiError.NotFound, $"{verb}: not found ({message})", inner),
            HttpStatusCode.Conflict => new KubeApiException(KubeApiError.Conflict, $"{verb}: conflict ({message})", inner),
            HttpStatusCode.Gone => new KubeApiException(KubeApiError.Gone, $"{verb}: resource version too old ({message})", inner),
            HttpStatusCode.UnprocessableEntity => new KubeApiException(KubeApiError.Invalid, $"{verb}: invalid ({message})", inner),
            _ => new KubeApiException(KubeApiError.Unavailable, $"{verb}: the Kubernetes API answered {(int)code} ({message})", inner),
        };
    }

    private static string StatusMessage(string? body)
    {
        if (string.IsNullOrWhiteSpace(body)) return "no details";
        try
        {
            return JsonNode.Parse(body)?["message"]?.GetValue<string>() ?? body;
        }
        catch (JsonException)
        {
            return body;
        }
    }
}
