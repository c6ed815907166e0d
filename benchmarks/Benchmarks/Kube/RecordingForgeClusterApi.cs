using System.Text.Json.Nodes;
using Forge.Kubernetes;

namespace Forge.Benchmarks.Kube;

/// <summary>The real API client, with every status patch kept (name, time, body) so the harness can say which fields
/// changed between two writes of one object.</summary>
public sealed class RecordingForgeClusterApi(IForgeClusterApi inner) : IForgeClusterApi
{
    public sealed record StatusWrite(string Name, DateTimeOffset At, JsonObject Status);

    private readonly object _gate = new();
    private readonly List<StatusWrite> _writes = [];

    public List<StatusWrite> StatusWrites()
    {
        lock (_gate) return [.. _writes];
    }

    public Task<(IReadOnlyList<ForgeClusterObject> Items, string ResourceVersion)> ListAsync(CancellationToken ct) => inner.ListAsync(ct);

    public IAsyncEnumerable<ForgeClusterChange> WatchAsync(string resourceVersion, CancellationToken ct) => inner.WatchAsync(resourceVersion, ct);

    public Task PatchStatusAsync(string name, JsonObject status, CancellationToken ct)
    {
        lock (_gate) _writes.Add(new StatusWrite(name, DateTimeOffset.UtcNow, status.DeepClone().AsObject()));
        return inner.PatchStatusAsync(name, status, ct);
    }

    public Task PatchSpecAsync(string name, JsonObject specPatch, CancellationToken ct) => inner.PatchSpecAsync(name, specPatch, ct);

    public Task CreateAsync(string name, JsonObject spec, CancellationToken ct) => inner.CreateAsync(name, spec, ct);

    public Task DeleteAsync(string name, string uid, CancellationToken ct) => inner.DeleteAsync(name, uid, ct);

    public Task RecordEventAsync(ForgeClusterObject about, string type, string reason, string message, CancellationToken ct) =>
        inner.RecordEventAsync(about, type, reason, message, ct);

    /// <summary>Paths (a.b[i].c) whose values differ between two status bodies.</summary>
    public static IEnumerable<string> ChangedPaths(JsonNode? a, JsonNode? b, string path = "")
    {
        if (a is JsonObject oa && b is JsonObject ob)
        {
            foreach (var key in oa.Select(kv => kv.Key).Union(ob.Select(kv => kv.Key)))
                foreach (var p in ChangedPaths(oa[key], ob[key], path.Length == 0 ? key : path + "." + key))
                    yield return p;
        }
        else if (a is JsonArray aa && b is JsonArray ab && aa.Count == ab.Count)
        {
            for (var i = 0; i < aa.Count; i++)
            {
                var label = aa[i]?["type"]?.GetValue<string>() ?? i.ToString(System.Globalization.CultureInfo.InvariantCulture);
                foreach (var p in ChangedPaths(aa[i], ab[i], $"{path}[{label}]")) yield return p;
            }
        }
        else if (!JsonNode.DeepEquals(a, b))
        {
            yield return path;
        }
    }
}
