using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using Forge.Kubernetes;

namespace Forge.Tests.Kubernetes;

/// <summary>An in-memory region API recording every write; watches are fed by the test.</summary>
internal sealed class FakeForgeClusterApi : IForgeClusterApi
{
    private long _rv = 10;
    public ConcurrentDictionary<string, JsonObject> Objects { get; } = new();
    public ConcurrentQueue<(string Name, JsonObject Status)> StatusWrites { get; } = new();
    public ConcurrentQueue<(string Name, JsonObject Patch)> SpecPatches { get; } = new();
    public ConcurrentQueue<string> Created { get; } = new();
    public ConcurrentQueue<string> Deleted { get; } = new();
    public ConcurrentQueue<(string Name, string Reason, string Message)> Events { get; } = new();
    public Channel<ForgeClusterChange> Watch { get; } = Channel.CreateUnbounded<ForgeClusterChange>();
    public volatile bool Down;
    public volatile bool ForbidEvents;

    public JsonObject Add(string name, string region, int priority, string pool = "pool1", DateTimeOffset? created = null)
    {
        var o = new JsonObject
        {
            ["metadata"] = new JsonObject
            {
                ["name"] = name, ["uid"] = Guid.NewGuid().ToString(), ["resourceVersion"] = (++_rv).ToString(),
                ["generation"] = 1, ["creationTimestamp"] = (created ?? DateTimeOffset.UtcNow).ToString("yyyy-MM-ddTHH:mm:ssZ"),
            },
            ["spec"] = new JsonObject { ["region"] = region, ["priority"] = priority, ["forgeState"] = "Priority-based", ["pool"] = new JsonObject { ["id"] = pool } },
        };
        Objects[name] = o;
        return o;
    }

    public Task<(IReadOnlyList<ForgeClusterObject> Items, string ResourceVersion)> ListAsync(CancellationToken ct)
    {
        Fail();
        return Task.FromResult<(IReadOnlyList<ForgeClusterObject>, string)>(
            (Objects.Values.Select(ForgeClusterObject.FromJson).ToList(), _rv.ToString()));
    }

    public async IAsyncEnumerable<ForgeClusterChange> WatchAsync(string resourceVersion, [EnumeratorCancellation] CancellationToken ct)
    {
        Fail();
        await foreach (var c in Watch.Reader.ReadAllAsync(ct)) yield return c;
    }

    public Task PatchStatusAsync(string name, JsonObject status, CancellationToken ct)
    {
        Fail();
        StatusWrites.Enqueue((name, status));
        return Task.CompletedTask;
    }

    public Task PatchSpecAsync(string name, JsonObject specPatch, CancellationToken ct)
    {
        if (Down) Interlocked.Increment(ref _refusedSpecPatches);
        Fail();
        SpecPatches.Enqueue((name, specPatch));
        return Task.CompletedTask;
    }

    public Task CreateAsync(string name, JsonObject spec, CancellationToken ct)
    {
        Fail();
        Created.Enqueue(name);
        return Task.CompletedTask;
    }

    public Task DeleteAsync(string name, string uid, CancellationToken ct)
    {
        Fail();
        Deleted.Enqueue(name);
        return Task.CompletedTask;
    }

    public Task RecordEventAsync(ForgeClusterObject about, string type, string reason, string message, CancellationToken ct)
    {
        Fail();
        if (ForbidEvents) throw new KubeApiException(KubeApiError.Forbidden, "RBAC: sa may not create events in namespace cardano");
        Events.Enqueue((about.Name, reason, message));
        return Task.CompletedTask;
    }

    private int _refusedSpecPatches;

    /// <summary>Spec patches refused because <see cref="Down"/> was set.</summary>
    public int RefusedSpecPatches => Volatile.Read(ref _refusedSpecPatches);

    private void Fail()
    {
        if (Down) throw new KubeApiException(KubeApiError.Unavailable, "API down");
    }
}
