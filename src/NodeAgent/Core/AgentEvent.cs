using Forge.Protocol;

namespace Forge.NodeAgent.Core;

/// <summary>Inputs of <see cref="AgentDecider"/>. Time is not in the event: the loop passes "now" alongside.</summary>
internal abstract record AgentEvent
{
    private AgentEvent() { }

    public sealed record LinkUp(string Coordinator) : AgentEvent;
    public sealed record LinkDown(string Reason) : AgentEvent;
    public sealed record Received(IAgentProtocolMessage Message) : AgentEvent;
    /// <summary>The fence answered a PING (alive, no state).</summary>
    public sealed record FenceAlive : AgentEvent;
    public sealed record FenceSeen(FenceObservation Observation) : AgentEvent;
    /// <summary>A DEADLINE or DISABLE was refused or could not be delivered.</summary>
    public sealed record FenceCommandFailed(string RequestId, string Reason) : AgentEvent;
    public sealed record NodeKillResult(bool Gone, string Detail) : AgentEvent;
    public sealed record Tick : AgentEvent;
    /// <summary>The source Secret was inspected again and something changed (null problem = eligible).</summary>
    public sealed record CredentialsChecked(string? Problem, string Fingerprint) : AgentEvent;
    /// <summary>SIGTERM (pod deletion, drain).</summary>
    public sealed record Shutdown : AgentEvent;

    public static readonly Tick TheTick = new();
}
