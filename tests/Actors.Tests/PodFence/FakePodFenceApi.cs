using System.Collections.Concurrent;
using Forge.Kubernetes;
using Forge.PodFence;

namespace Forge.Tests.PodFence;

/// <summary>What the fake API's pod does when it is deleted.</summary>
public enum FakePodBehaviour
{
    /// <summary>Its kubelet kills it: the next GET is a 404.</summary>
    Dies,
    /// <summary>Its kubelet is frozen: the pod stays, marked deleting.</summary>
    Stays,
    /// <summary>It was replaced before the delete: the delete gets a 409.</summary>
    ReplacedBeforeDelete,
    /// <summary>The API fails every call.</summary>
    ApiDown,
}

/// <summary>A pod API with scripted pods; records every delete.</summary>
internal sealed class FakePodFenceApi : IPodFenceApi
{
    private readonly ConcurrentDictionary<string, (string Uid, bool Deleting)> _pods = new();
    private readonly ConcurrentDictionary<string, FakePodBehaviour> _behaviour = new();

    public ConcurrentQueue<(string Pod, string Uid, TimeSpan Grace)> Deletes { get; } = new();
    public ConcurrentQueue<string> Gets { get; } = new();

    public void Add(string pod, string uid, FakePodBehaviour behaviour)
    {
        _pods[pod] = (uid, false);
        _behaviour[pod] = behaviour;
    }

    public Task<PodHandle?> GetAsync(string pod, CancellationToken ct)
    {
        Gets.Enqueue(pod);
        if (_behaviour.GetValueOrDefault(pod) == FakePodBehaviour.ApiDown)
            throw new KubeApiException(KubeApiError.Unavailable, "get pods: the Kubernetes API is unreachable");
        return Task.FromResult(_pods.TryGetValue(pod, out var p) ? new PodHandle(pod, p.Uid, p.Deleting) : null);
    }

    public Task DeleteAsync(string pod, string uid, TimeSpan gracePeriod, CancellationToken ct)
    {
        Deletes.Enqueue((pod, uid, gracePeriod));
        if (!_pods.TryGetValue(pod, out var p)) throw new KubeApiException(KubeApiError.NotFound, "delete pods: not found");
        switch (_behaviour[pod])
        {
            case FakePodBehaviour.ReplacedBeforeDelete:
                throw new KubeApiException(KubeApiError.Conflict, $"delete pods: conflict (Precondition failed: UID in precondition: {uid}, UID in object meta: new)");
            case FakePodBehaviour.Dies:
                _pods.TryRemove(pod, out _);
                break;
            default:
                _pods[pod] = (p.Uid, true);
                break;
        }
        return Task.CompletedTask;
    }
}
