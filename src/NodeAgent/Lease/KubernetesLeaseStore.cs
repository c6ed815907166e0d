using System.Net;
using k8s;
using k8s.Autorest;
using k8s.Models;

namespace Forge.NodeAgent.Lease;

/// <summary>
/// The one class that touches KubernetesClient: coordination.k8s.io/v1 Leases with per-request timeouts; 404 = absent,
/// 409 = lost a race (the caller retries on its next period), 403 explained as missing RBAC.
/// </summary>
internal sealed class KubernetesLeaseStore(IKubernetes client, string name, string ns, TimeSpan requestTimeout) : ILeaseStore
{
    public static KubernetesLeaseStore Create(string? apiUrl, string name, string ns, TimeSpan requestTimeout)
    {
        var config = apiUrl is not null
            ? new KubernetesClientConfiguration { Host = apiUrl }
            : KubernetesClientConfiguration.InClusterConfig();
        return new KubernetesLeaseStore(new k8s.Kubernetes(config), name, ns, requestTimeout);
    }

    public async Task<LeaseRecord?> GetAsync(CancellationToken ct) =>
        await Call(async t => ToRecord(await client.CoordinationV1.ReadNamespacedLeaseAsync(name, ns, cancellationToken: t)), ct);

    public async Task<LeaseRecord?> CreateAsync(string holder, TimeSpan duration, CancellationToken ct)
    {
        var now = DateTime.UtcNow;
        var lease = new V1Lease
        {
            Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = ns },
            Spec = new V1LeaseSpec
            {
                HolderIdentity = holder, LeaseDurationSeconds = Seconds(duration), AcquireTime = now, RenewTime = now,
                LeaseTransitions = 0,
            },
        };
        return await Call(async t => ToRecord(await client.CoordinationV1.CreateNamespacedLeaseAsync(lease, ns, cancellationToken: t)), ct);
    }

    public async Task<LeaseRecord?> UpdateAsync(LeaseRecord seen, string holder, bool newHolder, TimeSpan duration, CancellationToken ct)
    {
        var now = DateTime.UtcNow;
        var lease = new V1Lease
        {
            Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = ns, ResourceVersion = seen.Version },
            Spec = new V1LeaseSpec
            {
                HolderIdentity = holder, LeaseDurationSeconds = Seconds(duration), RenewTime = now,
                AcquireTime = newHolder ? now : null, LeaseTransitions = newHolder ? seen.Transitions + 1 : seen.Transitions,
            },
        };
        return await Call(async t => ToRecord(await client.CoordinationV1.ReplaceNamespacedLeaseAsync(lease, name, ns, cancellationToken: t)), ct);
    }

    /// <summary>Runs one request with a timeout; null for 404 and 409, which the election treats as "not now".</summary>
    private async Task<LeaseRecord?> Call(Func<CancellationToken, Task<LeaseRecord>> request, CancellationToken ct)
    {
        using var bounded = CancellationTokenSource.CreateLinkedTokenSource(ct);
        bounded.CancelAfter(requestTimeout);
        try
        {
            return await request(bounded.Token);
        }
        catch (HttpOperationException e) when (e.Response.StatusCode is HttpStatusCode.NotFound or HttpStatusCode.Conflict)
        {
            return null;
        }
        catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.Forbidden)
        {
            throw new LeaseStoreException($"forbidden: the agent's service account needs get/create/update on " +
                $"coordination.k8s.io leases in namespace {ns}", e);
        }
        catch (Exception e) when (e is HttpOperationException or HttpRequestException or OperationCanceledException && !ct.IsCancellationRequested)
        {
            throw new LeaseStoreException($"lease {ns}/{name}: {e.Message}", e);
        }
    }

    private static int Seconds(TimeSpan t) => Math.Max(1, (int)Math.Ceiling(t.TotalSeconds));

    private static LeaseRecord ToRecord(V1Lease l) =>
        new(l.Spec?.HolderIdentity ?? "", l.Spec?.RenewTime, l.Spec?.LeaseTransitions ?? 0, l.Metadata?.ResourceVersion ?? "");
}

/// <summary>The API could not be asked (timeout, outage, RBAC): the election fails closed.</summary>
internal sealed class LeaseStoreException(string message, Exception inner) : Exception(message, inner);
