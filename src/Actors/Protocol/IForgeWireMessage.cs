namespace Forge.Protocol;

/// <summary>
/// Marker for every message that crosses a process boundary (agent ↔ coordinator, coordinator ↔ coordinator).
/// Akka.NET binds <see cref="ForgeWireSerializer"/> to this interface, so none of these ever falls back to Akka's
/// default JSON serializer; the agent's TLS link frames the same encoding (<see cref="WireCodec"/>).
/// </summary>
public interface IForgeWireMessage;

/// <summary>Messages of the agent ↔ coordinator protocol (version <see cref="AgentProtocol.Version"/>).</summary>
public interface IAgentProtocolMessage : IForgeWireMessage;
