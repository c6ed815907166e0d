using Forge.PodFence;
using k8s;
using k8s.Models;

namespace Forge.Kubernetes;

/// <summary>
/// The pod fence's two calls through KubernetesClient, in the coordinators' namespace: get a pod (its uid and whether
/// it is being deleted) and delete it gracefully with a uid precondition. RBAC: pods get + delete, nothing else.
/// </summary>
public sealed class KubernetesPodFenceApi(IKubernetes client, string @namespace, TimeSpan requestTimeout, string serviceAccount)
    : IPodFenceApi
{
    private readonly KubeCalls _calls = new(@namespace, requestTimeout, serviceAccount);

    public async Task<PodHandle?> GetAsync(string pod, CancellationToken ct)
    {
        try
        {
            var p = await _calls.Call("get pods", c => client.CoreV1.ReadNamespacedPodAsync(pod, @namespace, cancellationToken: c), ct);
            return new PodHandle(p.Metadata.Name, p.Metadata.Uid, p.Metadata.DeletionTimestamp is not null);
        }
        catch (KubeApiException e) when (e.Error == KubeApiError.NotFound)
        {
            return null;
        }
    }

    public Task DeleteAsync(string pod, string uid, TimeSpan gracePeriod, CancellationToken ct) =>
        _calls.Call("delete pods", c => client.CoreV1.DeleteNamespacedPodAsync(pod, @namespace,
            new V1DeleteOptions
            {
                GracePeriodSeconds = (long)gracePeriod.TotalSeconds,
                Preconditions = new V1Preconditions { Uid = uid },
                PropagationPolicy = "Background",
            }, cancellationToken: c), ct);
}
