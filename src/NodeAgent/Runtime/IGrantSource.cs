using System.Threading.Channels;
using Forge.Protocol;
using Forge.Transport;

namespace Forge.NodeAgent.Runtime;

/// <summary>
/// Where grants come from and requests go: the coordinators over the TLS link (cluster mode) or the Lease elector
/// (single-cluster mode), which speaks the same protocol messages so one decider serves both.
/// </summary>
internal interface IGrantSource : IAsyncDisposable
{
    ChannelReader<LinkEvent> Events { get; }
    void Start();
    /// <summary>False when the message could not be queued (no link); requests are retried by the decider.</summary>
    bool Send(IAgentProtocolMessage message);
    /// <summary>Sends this agent's registration again on the current link (after a refusal).</summary>
    void Reregister();
    /// <summary>Single-cluster mode: what the Lease leader forges on (/startup-status); null in cluster mode.</summary>
    string? Footing => null;
}

/// <summary>Cluster mode: the coordinators' agent gateway.</summary>
internal sealed class CoordinatorGrantSource(AgentLink link) : IGrantSource
{
    public ChannelReader<LinkEvent> Events => link.Events;
    public void Start() => link.Start();
    public bool Send(IAgentProtocolMessage message) => link.Send(message);
    public void Reregister() => link.Reregister();
    public ValueTask DisposeAsync() => link.DisposeAsync();
}
