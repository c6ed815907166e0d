using System.Diagnostics;
using Forge.Kubernetes;

namespace Forge.PodFence;

/// <summary>How a fence ended (the <c>outcome</c> label of <c>forge_pod_fence_total</c>).</summary>
public enum PodFenceOutcome
{
    /// <summary>The pod with that uid is gone: the kubelet killed its containers.</summary>
    Confirmed,
    /// <summary>Deleted, but the pod with that uid was still there after confirm-within (kubelet frozen or gone).</summary>
    Unconfirmed,
    /// <summary>A Kubernetes call failed (unreachable, timeout, forbidden, ...).</summary>
    Failed,
    /// <summary>The pod's uid changed between read and delete (409): it was already replaced.</summary>
    Conflict,
    /// <summary>No such pod (404) before the delete.</summary>
    Gone,
}

/// <summary>The result of one fence: outcome, the pod's uid when known, and a sentence for the log.</summary>
public sealed record PodFenceResult(PodFenceOrder Order, PodFenceOutcome Outcome, string? Uid, string Detail, TimeSpan Took);

/// <summary>
/// One fence, as I/O only: read the pod's uid, delete it gracefully with that uid as precondition, then await its
/// removal (404, or another uid: the StatefulSet's new pod) within confirm-within. Run off the actor; piped back.
/// </summary>
public static class PodFenceRun
{
    public static async Task<PodFenceResult> FenceAsync(IPodFenceApi api, PodFenceOrder order, PodFenceSettings settings, CancellationToken ct)
    {
        var watch = Stopwatch.StartNew();
        // each step's time goes into the log line: the fence races the successor's grant (TTL + margin), so a slow step
        // (a cold client, a loaded API server) must be visible
        var steps = new List<string>();
        void Mark(string step) => steps.Add($"{step} {watch.Elapsed.TotalSeconds:0.00} s");
        string Steps() => steps.Count == 0 ? $"no call answered in {watch.Elapsed.TotalSeconds:0.00} s" : string.Join(", ", steps);
        PodFenceResult Result(PodFenceOutcome o, string? uid, string detail) => new(order, o, uid, $"{detail} ({Steps()})", watch.Elapsed);
        string? uid = null;
        try
        {
            var pod = await api.GetAsync(order.Pod, ct);
            Mark("read");
            if (pod is null) return Result(PodFenceOutcome.Gone, null, "no such pod");
            uid = pod.Uid;
            await api.DeleteAsync(order.Pod, pod.Uid, settings.GracePeriod, ct);
            Mark("deleted");
            var deadline = settings.ConfirmWithin;
            while (watch.Elapsed < deadline)
            {
                var now = await api.GetAsync(order.Pod, ct);
                if (now is null || now.Uid != uid)
                {
                    Mark("gone");
                    return Result(PodFenceOutcome.Confirmed, uid, now is null ? "pod removed" : $"pod removed (recreated as uid {now.Uid})");
                }
                await Task.Delay(Min(settings.PollInterval, deadline - watch.Elapsed), ct);
            }
            return Result(PodFenceOutcome.Unconfirmed, uid,
                $"pod uid {uid} still present {settings.ConfirmWithin.TotalSeconds:0.#}s after the delete: its kubelet may be frozen or gone");
        }
        catch (KubeApiException e) when (e.Error == KubeApiError.Conflict)
        {
            return Result(PodFenceOutcome.Conflict, uid, e.Message);
        }
        catch (KubeApiException e) when (e.Error == KubeApiError.NotFound)
        {
            return Result(PodFenceOutcome.Gone, uid, e.Message);
        }
        catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            return Result(PodFenceOutcome.Failed, uid, $"{e.GetType().Name}: {e.Message}");
        }
    }

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b < TimeSpan.Zero ? TimeSpan.Zero : b;
}
