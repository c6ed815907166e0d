using System.Collections.Frozen;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;

namespace Forge.Protocol;

/// <summary>
/// Source-generated JSON for the agent ↔ coordinator protocol, with the same settings as <see cref="WireCodec"/>'s
/// reflection options (web defaults, nothing ignored, nullable annotations respected, enums as strings), so the
/// agent runs as a Native AOT binary: no reflection, no runtime code generation on its link. Every
/// <see cref="IAgentProtocolMessage"/> must be listed here (tests/NodeAgent.Tests checks it); the coordinator-internal
/// wire messages stay on the reflection path.
/// </summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, DefaultIgnoreCondition = JsonIgnoreCondition.Never,
    RespectNullableAnnotations = true, UseStringEnumConverter = true)]
[JsonSerializable(typeof(RegisterAgent))]
[JsonSerializable(typeof(AgentRegistered))]
[JsonSerializable(typeof(AgentRefused))]
[JsonSerializable(typeof(NodeStatusReport))]
[JsonSerializable(typeof(Grant))]
[JsonSerializable(typeof(GrantRequest))]
[JsonSerializable(typeof(Renew))]
[JsonSerializable(typeof(Renewed))]
[JsonSerializable(typeof(RenewRefused))]
[JsonSerializable(typeof(Revoke))]
[JsonSerializable(typeof(Released))]
[JsonSerializable(typeof(HandoverRequest))]
[JsonSerializable(typeof(ClusterInfo))]
[JsonSerializable(typeof(Ping))]
[JsonSerializable(typeof(Pong))]
[JsonSerializable(typeof(StandaloneTermRequest))]
[JsonSerializable(typeof(StandaloneTermRefused))]
public sealed partial class AgentWireJson : JsonSerializerContext
{
    /// <summary>The agent protocol's messages by CLR type (each entry names its own type).</summary>
    public static FrozenDictionary<Type, JsonTypeInfo> ByType => Table.ByType;

    private static class Table
    {
        public static readonly FrozenDictionary<Type, JsonTypeInfo> ByType = new JsonTypeInfo[]
        {
            Default.RegisterAgent, Default.AgentRegistered, Default.AgentRefused, Default.NodeStatusReport, Default.Grant,
            Default.GrantRequest, Default.Renew, Default.Renewed, Default.RenewRefused, Default.Revoke, Default.Released,
            Default.HandoverRequest, Default.ClusterInfo, Default.Ping, Default.Pong, Default.StandaloneTermRequest,
            Default.StandaloneTermRefused,
        }.ToFrozenDictionary(i => i.Type);
    }
}
