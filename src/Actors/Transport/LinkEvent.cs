using Forge.Protocol;

namespace Forge.Transport;

/// <summary>What the agent's link reports, in order: Up (registration already sent), messages, Down.</summary>
public abstract record LinkEvent
{
    private LinkEvent() { }

    public sealed record Up(CoordinatorEndpoint Endpoint) : LinkEvent;

    public sealed record Down(CoordinatorEndpoint Endpoint, string Reason) : LinkEvent;

    public sealed record Received(IAgentProtocolMessage Message) : LinkEvent;
}
