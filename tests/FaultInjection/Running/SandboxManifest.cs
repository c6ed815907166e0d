using System.Text.Json;
using System.Text.Json.Serialization;

namespace Forge.FaultInjection.Running;

// DIR/sandbox.json as src/Sandbox writes it (read here, not referenced: the runner drives the sandbox as a process).

public sealed record Manifest(
    [property: JsonPropertyName("kubeconfig")] string Kubeconfig,
    [property: JsonPropertyName("regions")] IReadOnlyList<RegionEntry> Regions)
{
    public IEnumerable<NodeEntry> Nodes => Regions.SelectMany(r => r.Nodes);

    public static Manifest Parse(string json) =>
        JsonSerializer.Deserialize<Manifest>(json) ?? throw new InvalidDataException("empty sandbox.json");
}

public sealed record RegionEntry(
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("region")] string Region,
    [property: JsonPropertyName("context")] string Context,
    [property: JsonPropertyName("coordinators")] IReadOnlyList<CoordinatorEntry> Coordinators,
    [property: JsonPropertyName("nodes")] IReadOnlyList<NodeEntry> Nodes)
{
    /// <summary>The region's Kubernetes API emulator (http://ADDR:PORT).</summary>
    [JsonPropertyName("kubeApi")] public string KubeApi { get; init; } = "";

    /// <summary>The region's network namespace (sandbox --region-netns), else null.</summary>
    [JsonPropertyName("netns")] public string? Netns { get; init; }

    [JsonPropertyName("address")] public string Address { get; init; } = "127.0.0.1";
}

public sealed record CoordinatorEntry(
    [property: JsonPropertyName("pid")] int Pid,
    [property: JsonPropertyName("metrics")] string Metrics)
{
    /// <summary>sandbox --faketime: the coordinator's wall-clock offset file, else null.</summary>
    [JsonPropertyName("faketimeFile")] public string? FaketimeFile { get; init; }
}

public sealed record NodeEntry(
    [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("agentPid")] int AgentPid,
    [property: JsonPropertyName("fencePid")] int FencePid,
    [property: JsonPropertyName("nodePid")] int NodePid,
    [property: JsonPropertyName("forgeLog")] string ForgeLog)
{
    /// <summary>sandbox --faketime: the agent's wall-clock offset file, else null.</summary>
    [JsonPropertyName("agentFaketimeFile")] public string? AgentFaketimeFile { get; init; }

    /// <summary>The agent's metrics URL (its <c>/startup-status</c> is beside it).</summary>
    [JsonPropertyName("agentMetrics")] public string? AgentMetrics { get; init; }
}
