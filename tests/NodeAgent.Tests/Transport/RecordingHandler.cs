using System.Collections.Concurrent;
using Forge.Protocol;
using Forge.Transport;

namespace Forge.NodeAgent.Tests.Transport;

/// <summary>Records what the gateway hands over and answers registrations.</summary>
internal sealed class RecordingHandler : IAgentSessionHandler
{
    public ConcurrentQueue<IAgentSession> Connected { get; } = new();

    /// <summary>Whether registrations are acknowledged (a coordinator whose Sharding is still settling answers late).</summary>
    public bool Answers { get; set; } = true;
    public ConcurrentQueue<(IAgentSession Session, IAgentProtocolMessage Message)> Messages { get; } = new();
    public ConcurrentQueue<(IAgentSession Session, string Reason)> Disconnected { get; } = new();

    public void OnConnected(IAgentSession session) => Connected.Enqueue(session);

    public void OnMessage(IAgentSession session, IAgentProtocolMessage message)
    {
        Messages.Enqueue((session, message));
        if (message is RegisterAgent r && Answers) session.Send(new AgentRegistered(r.Node, r.Incarnation, "test-coordinator"));
    }

    public void OnDisconnected(IAgentSession session, string reason) => Disconnected.Enqueue((session, reason));
}
