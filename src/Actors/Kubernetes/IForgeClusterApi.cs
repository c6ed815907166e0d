using System.Text.Json.Nodes;

namespace Forge.Kubernetes;

/// <summary>
/// Everything the CRD projection needs from one region's Kubernetes API, in domain terms. Exactly one class
/// (<see cref="KubernetesForgeClusterApi"/>) touches KubernetesClient; tests use fakes or the API emulator.
/// Every call has its own timeout; failures surface as <see cref="KubeApiException"/>.
/// </summary>
public interface IForgeClusterApi
{
    /// <summary>Lists the namespace's CardanoForgeClusters and the list's resourceVersion (to resume a watch).</summary>
    Task<(IReadOnlyList<ForgeClusterObject> Items, string ResourceVersion)> ListAsync(CancellationToken ct);

    /// <summary>Streams changes after <paramref name="resourceVersion"/> until the server ends the watch.
    /// A 410 Gone surfaces as <see cref="KubeApiException"/> with <see cref="KubeApiError.Gone"/>: relist.</summary>
    IAsyncEnumerable<ForgeClusterChange> WatchAsync(string resourceVersion, CancellationToken ct);

    /// <summary>Merge-patches the status subresource.</summary>
    Task PatchStatusAsync(string name, JsonObject status, CancellationToken ct);

    /// <summary>Merge-patches the resource (spec): override restore, spec projection from other regions.</summary>
    Task PatchSpecAsync(string name, JsonObject specPatch, CancellationToken ct);

    /// <summary>Creates the resource (a cluster created in another region) with this spec.</summary>
    Task CreateAsync(string name, JsonObject spec, CancellationToken ct);

    /// <summary>Deletes the resource if its uid is still <paramref name="uid"/> (a tombstoned cluster).</summary>
    Task DeleteAsync(string name, string uid, CancellationToken ct);

    /// <summary>Records a core/v1 Event on the resource.</summary>
    Task RecordEventAsync(ForgeClusterObject about, string type, string reason, string message, CancellationToken ct);
}

public enum ForgeClusterChangeType
{
    Upserted,
    Deleted,
}

public sealed record ForgeClusterChange(ForgeClusterChangeType Type, ForgeClusterObject Resource);

public enum KubeApiError
{
    Unavailable,
    Timeout,
    Gone,
    Forbidden,
    NotFound,
    Conflict,
    Invalid,
}

/// <summary>A failed Kubernetes API call. <see cref="KubeApiError.Forbidden"/> messages name the missing permission.</summary>
public sealed class KubeApiException : Exception
{
    public KubeApiException(KubeApiError error, string message, Exception? inner = null) : base(message, inner) => Error = error;
    public KubeApiException() : this(KubeApiError.Unavailable, "Kubernetes API call failed") { }
    public KubeApiException(string message) : this(KubeApiError.Unavailable, message) { }
    public KubeApiException(string message, Exception inner) : this(KubeApiError.Unavailable, message, inner) { }

    public KubeApiError Error { get; }
}
