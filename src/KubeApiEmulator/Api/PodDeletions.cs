using System.Text.Json.Nodes;
using Forge.KubeApiEmulator.Json;
using Forge.KubeApiEmulator.Resources;
using Forge.KubeApiEmulator.Storage;

namespace Forge.KubeApiEmulator.Api;

/// <summary>
/// Graceful pod deletion as kube-apiserver and kubelet do it together: DELETE marks the pod (deletionTimestamp,
/// deletionGracePeriodSeconds: a MODIFIED event), the host's <see cref="PodKubelet"/> ends its processes, and only
/// then is the object removed (DELETED). A pod registered again while it terminates (the StatefulSet recreating it)
/// is held back until the old object is gone, so the new one always gets a new uid.
/// </summary>
internal sealed class PodDeletions(ResourceService service, TimeProvider clock, Action<JsonObject> removed)
{
    /// <summary>Kubernetes' default terminationGracePeriodSeconds, used when the request gives none.</summary>
    public const long DefaultGraceSeconds = 30;

    private static readonly ResourceKind Pods = BuiltInKinds.Pods;
    private readonly object _gate = new();
    private readonly Dictionary<string, PodKubelet> _kubelets = [];
    private readonly Dictionary<string, (PodRegistration Pod, Action Apply)> _heldBack = [];

    /// <summary>Stores the pod's kubelet and runs <paramref name="apply"/> (which writes the Pod object) now, or, while
    /// the previous pod of that name terminates, once its object has been removed.</summary>
    public void Register(PodRegistration pod, Action apply)
    {
        var key = Key(pod.Namespace, pod.Name);
        lock (_gate)
        {
            if (JsonText.Str(service.Store.Get(Pods.Storage, pod.Namespace, pod.Name), "metadata.deletionTimestamp") is not null)
            {
                _heldBack[key] = (pod, apply);
                return;
            }

            SetKubelet(key, pod.Kubelet);
            apply();
        }
    }

    public void Forget(string ns, string name)
    {
        lock (_gate)
        {
            _kubelets.Remove(Key(ns, name));
            _heldBack.Remove(Key(ns, name));
        }
    }

    /// <summary>DELETE of one pod: 404, 409 (preconditions), 405 (no kubelet), else 200 with the terminating pod.</summary>
    public JsonObject Delete(string ns, string name, JsonObject? deleteOptions, bool dryRun)
    {
        PodKubelet kubelet;
        PodDeletion deletion;
        JsonObject marked;
        lock (_gate)
        {
            var existing = service.Store.Get(Pods.Storage, ns, name) ?? throw Pods.NotFound(name);
            var uid = JsonText.Str(existing, "metadata.uid") ?? "";
            CheckPreconditions(name, existing, uid, deleteOptions);
            if (!_kubelets.TryGetValue(Key(ns, name), out kubelet!))
            {
                throw new ApiException(405, "MethodNotAllowed",
                    $"the emulator cannot delete pod \"{name}\": its host registered no kubelet for it, so nothing could kill its processes");
            }

            if (JsonText.Str(existing, "metadata.deletionTimestamp") is not null || dryRun)
            {
                // already terminating: the first deletion goes on (the apiserver would only shorten its grace)
                return existing;
            }

            var grace = GraceSeconds(existing, deleteOptions);
            var meta = ObjectMetadata.Of(existing);
            meta["deletionTimestamp"] = JsonText.Timestamp(clock.GetUtcNow().AddSeconds(grace));
            meta["deletionGracePeriodSeconds"] = grace;
            marked = service.Store.Put(Pods.Storage, ns, name, existing, "MODIFIED");
            deletion = new PodDeletion(ns, name, uid, TimeSpan.FromSeconds(grace));
            if (grace == 0)
            {
                // gracePeriodSeconds=0 is a forced deletion: the apiserver removes the object at once, before the kubelet acts
                RemoveIfStill(deletion);
            }
        }

        _ = Task.Run(() => TerminateAsync(kubelet, deletion));
        return marked;
    }

    private async Task TerminateAsync(PodKubelet kubelet, PodDeletion deletion)
    {
        try
        {
            await kubelet(deletion);
        }
        catch (Exception e)
        {
            // not confirmed: the pod stays Terminating, never reported gone while its processes may live
            RecordFailedKill(deletion, e);
            return;
        }

        lock (_gate)
        {
            RemoveIfStill(deletion);
        }
    }

    /// <summary>Removes the pod object if it is still the one being deleted, then applies a registration held back meanwhile.</summary>
    private void RemoveIfStill(PodDeletion deletion)
    {
        var key = Key(deletion.Namespace, deletion.Name);
        var current = service.Store.Get(Pods.Storage, deletion.Namespace, deletion.Name);
        if (current is not null && JsonText.Str(current, "metadata.uid") == deletion.Uid)
        {
            service.Remove(Pods, deletion.Namespace, deletion.Name);
            _kubelets.Remove(key);
            removed(current);
        }

        if (_heldBack.Remove(key, out var next))
        {
            SetKubelet(key, next.Pod.Kubelet);
            next.Apply();
        }
    }

    /// <summary>The Warning Event a kubelet records when it cannot kill a pod (reason FailedKillPod).</summary>
    private void RecordFailedKill(PodDeletion deletion, Exception e)
    {
        var now = JsonText.Timestamp(clock.GetUtcNow());
        service.Create(BuiltInKinds.CoreEvents, deletion.Namespace, new JsonObject
        {
            ["metadata"] = new JsonObject { ["generateName"] = deletion.Name + "." },
            ["involvedObject"] = new JsonObject
            {
                ["apiVersion"] = "v1", ["kind"] = "Pod", ["name"] = deletion.Name, ["namespace"] = deletion.Namespace, ["uid"] = deletion.Uid,
            },
            ["reason"] = "FailedKillPod",
            ["message"] = $"error killing pod: {e.Message}",
            ["type"] = "Warning",
            ["count"] = 1,
            ["source"] = new JsonObject { ["component"] = "kubelet", ["host"] = "emulator" },
            ["firstTimestamp"] = now,
            ["lastTimestamp"] = now,
        }, WriteOptions.Default);
    }

    private void SetKubelet(string key, PodKubelet? kubelet)
    {
        if (kubelet is null)
        {
            _kubelets.Remove(key);
        }
        else
        {
            _kubelets[key] = kubelet;
        }
    }

    private static void CheckPreconditions(string name, JsonObject pod, string uid, JsonObject? deleteOptions)
    {
        string? failure = null;
        if (JsonText.Str(deleteOptions, "preconditions.uid") is { } wantUid && wantUid != uid)
        {
            failure = $"Precondition failed: UID in precondition: {wantUid}, UID in object meta: {uid}";
        }
        else if (JsonText.Str(deleteOptions, "preconditions.resourceVersion") is { } wantRv && wantRv != ObjectMetadata.ResourceVersion(pod))
        {
            failure = $"Precondition failed: ResourceVersion in precondition: {wantRv}, ResourceVersion in meta: {ObjectMetadata.ResourceVersion(pod)}";
        }

        if (failure is not null)
        {
            throw new ApiException(409, "Conflict", $"Operation cannot be fulfilled on pods \"{name}\": {failure}",
                new JsonObject { ["name"] = name, ["kind"] = "pods" });
        }
    }

    /// <summary>The request's gracePeriodSeconds, else the pod's terminationGracePeriodSeconds, else 30; negative means 1.</summary>
    private static long GraceSeconds(JsonObject pod, JsonObject? deleteOptions)
    {
        var grace = JsonText.Long(deleteOptions?["gracePeriodSeconds"])
                    ?? JsonText.Long(JsonText.At(pod, "spec.terminationGracePeriodSeconds"))
                    ?? DefaultGraceSeconds;
        return grace < 0 ? 1 : grace;
    }

    private static string Key(string ns, string name) => $"{ns}/{name}";
}
