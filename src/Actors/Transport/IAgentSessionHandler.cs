using System.Net;
using Forge.Protocol;

namespace Forge.Transport;

/// <summary>
/// The coordinator's side of the agent gateway. Calls for one session arrive in order and never overlap
/// (OnConnected, then OnMessage for each message, then OnDisconnected once); different sessions run concurrently.
/// Implementations must not block: forward into actors and return.
/// </summary>
public interface IAgentSessionHandler
{
    void OnConnected(IAgentSession session);
    void OnMessage(IAgentSession session, IAgentProtocolMessage message);
    void OnDisconnected(IAgentSession session, string reason);
}

/// <summary>One authenticated agent connection as the coordinator sees it.</summary>
public interface IAgentSession
{
    /// <summary>Unique per connection within this process.</summary>
    long Id { get; }
    EndPoint? Remote { get; }
    /// <summary>Subject of the agent's client certificate (already validated against the CA).</summary>
    string PeerSubject { get; }
    /// <summary>Queues a message to the agent; false when the link is closed.</summary>
    bool Send(IAgentProtocolMessage message);
    void Close(string reason);
}
