namespace Forge.PodFence;

/// <summary>A pod as the fence needs it: its uid, and whether a deletion is already under way.</summary>
public sealed record PodHandle(string Name, string Uid, bool Deleting);

/// <summary>
/// The two Kubernetes calls the pod fence makes, in this region's namespace (RBAC: pods get + delete, nothing else).
/// Failures surface as <see cref="Forge.Kubernetes.KubeApiException"/>.
/// </summary>
public interface IPodFenceApi
{
    /// <summary>The pod, or null when there is none (404).</summary>
    Task<PodHandle?> GetAsync(string pod, CancellationToken ct);

    /// <summary>Graceful delete of the pod only if its uid is still <paramref name="uid"/>: the kubelet kills its
    /// containers (SIGTERM, SIGKILL after <paramref name="gracePeriod"/>) and only then is the object removed.
    /// 409 (another uid) surfaces as <see cref="Forge.Kubernetes.KubeApiError.Conflict"/>, 404 as NotFound.</summary>
    Task DeleteAsync(string pod, string uid, TimeSpan gracePeriod, CancellationToken ct);
}
