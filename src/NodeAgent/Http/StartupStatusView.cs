using System.Text.Json.Serialization;

namespace Forge.NodeAgent.Http;

/// <summary>The body of <c>/startup-status</c> (field order is the JSON's).</summary>
internal sealed record StartupStatusView(
    bool Started,
    string Mode,
    string? Footing,
    string Node,
    bool FenceAnswered,
    bool Registered,
    string? Refused,
    string Credentials,
    string Phase,
    string Term,
    bool Forging,
    string? LastAlarm);

/// <summary>Source-generated JSON for the agent's own documents (the agent is a Native AOT binary: no reflection).</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(StartupStatusView))]
internal sealed partial class AgentJson : JsonSerializerContext;
