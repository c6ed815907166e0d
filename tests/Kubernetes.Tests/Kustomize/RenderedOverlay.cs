using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Forge.KubeApiEmulator.Json;
using Forge.Kubernetes.Tests.Support;

namespace Forge.Kubernetes.Tests.Kustomize;

/// <summary>The objects of one overlay as <c>kubectl kustomize</c> renders them (offline, no cluster).</summary>
internal sealed class RenderedOverlay
{
    private RenderedOverlay(string name, IReadOnlyList<JsonObject> objects)
    {
        Name = name;
        Objects = objects;
    }

    public string Name { get; }

    public IReadOnlyList<JsonObject> Objects { get; }

    private static readonly ConcurrentDictionary<string, Lazy<Task<RenderedOverlay>>> Cache = new();

    /// <summary>Rendered once per test run and overlay (kubectl kustomize costs a process start).</summary>
    public static Task<RenderedOverlay> RenderAsync(string overlayDirectory) =>
        Cache.GetOrAdd(overlayDirectory, d => new Lazy<Task<RenderedOverlay>>(() => RenderUncachedAsync(d))).Value;

    private static async Task<RenderedOverlay> RenderUncachedAsync(string overlayDirectory)
    {
        var result = await Shell.RunAsync($"kubectl kustomize '{overlayDirectory}'", new Dictionary<string, string>(), RepoPaths.Root);
        if (result.ExitCode != 0)
        {
            throw new InvalidOperationException($"kubectl kustomize {overlayDirectory} failed: {result}");
        }

        return new RenderedOverlay(Path.GetFileName(overlayDirectory), YamlToJson.ParseDocuments(result.Stdout));
    }

    public IEnumerable<JsonObject> OfKind(string kind) => Objects.Where(o => Str(o, "kind") == kind);

    public JsonObject Single(string kind, string name) =>
        Objects.SingleOrDefault(o => Str(o, "kind") == kind && Str(o, "metadata.name") == name)
        ?? throw new InvalidOperationException($"{Name}: no {kind} {name}");

    public JsonObject? Find(string kind, string name) =>
        Objects.SingleOrDefault(o => Str(o, "kind") == kind && Str(o, "metadata.name") == name);

    /// <summary>Containers and init containers of every pod template.</summary>
    public IEnumerable<(string Workload, JsonObject Container)> Containers() =>
        OfKind("StatefulSet").Concat(OfKind("Deployment")).SelectMany(w =>
            new[] { "containers", "initContainers" }
                .SelectMany(list => (JsonText.At(w, $"spec.template.spec.{list}") as JsonArray ?? []).OfType<JsonObject>())
                .Select(c => (Str(w, "metadata.name")!, c)));

    public static string? Str(JsonNode? node, string path) => JsonText.Str(node, path);
}
