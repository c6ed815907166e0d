using System.Text.Json;
using System.Text.Json.Serialization;

namespace Forge.Sandbox;

// DIR/sandbox.json: what tests and operators need to reach every part of a running sandbox. PIDs are current
// (the file is rewritten whenever a process is restarted); URLs and paths are absolute.

public sealed record SandboxManifest(
    [property: JsonPropertyName("kubeconfig")] string Kubeconfig,
    [property: JsonPropertyName("regions")] IReadOnlyList<RegionManifest> Regions)
{
    private static readonly JsonSerializerOptions Options = new() { WriteIndented = true };

    public string ToJson() => JsonSerializer.Serialize(this, Options);

    public static SandboxManifest FromJson(string json) =>
        JsonSerializer.Deserialize<SandboxManifest>(json, Options) ?? throw new InvalidDataException("empty sandbox.json");

    /// <summary>Writes atomically (temp + rename), so a reader never sees half a file.</summary>
    public void WriteTo(string path)
    {
        var tmp = path + ".tmp";
        File.WriteAllText(tmp, ToJson());
        File.Move(tmp, path, overwrite: true);
    }
}

public sealed record RegionManifest(
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("region")] string Region,
    [property: JsonPropertyName("priority")] int Priority,
    [property: JsonPropertyName("context")] string Context,
    [property: JsonPropertyName("kubeApi")] string KubeApi,
    [property: JsonPropertyName("coordinators")] IReadOnlyList<CoordinatorManifest> Coordinators,
    [property: JsonPropertyName("nodes")] IReadOnlyList<NodeManifest> Nodes)
{
    /// <summary>--region-netns: the region's network namespace (null without it).</summary>
    [JsonPropertyName("netns")] public string? Netns { get; init; }

    /// <summary>The region's address (127.0.0.1 without --region-netns).</summary>
    [JsonPropertyName("address")] public string Address { get; init; } = "127.0.0.1";
}

public sealed record CoordinatorManifest(
    [property: JsonPropertyName("pid")] int Pid,
    [property: JsonPropertyName("metrics")] string Metrics,
    [property: JsonPropertyName("shell")] string Shell)
{
    /// <summary>--faketime: the file holding this coordinator's wall-clock offset (null without it).</summary>
    [JsonPropertyName("faketimeFile")] public string? FaketimeFile { get; init; }
}

public sealed record NodeManifest(
    [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("pod")] string Pod,
    [property: JsonPropertyName("agentPid")] int AgentPid,
    [property: JsonPropertyName("fencePid")] int FencePid,
    [property: JsonPropertyName("nodePid")] int NodePid,
    [property: JsonPropertyName("agentMetrics")] string AgentMetrics,
    [property: JsonPropertyName("forgeLog")] string ForgeLog)
{
    /// <summary>--faketime: the file holding the agent's wall-clock offset (null without it).</summary>
    [JsonPropertyName("agentFaketimeFile")] public string? AgentFaketimeFile { get; init; }
}
