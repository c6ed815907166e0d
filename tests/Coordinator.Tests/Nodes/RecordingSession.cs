using System.Collections.Concurrent;
using System.Net;
using Forge.Protocol;
using Forge.Transport;
using Xunit;

namespace Forge.Coordinator.Tests.Nodes;

/// <summary>An agent session that records what the coordinator sends down the link.</summary>
internal sealed class RecordingSession(long id) : IAgentSession
{
    public BlockingCollection<IAgentProtocolMessage> Sent { get; } = [];
    public long Id => id;
    public EndPoint? Remote => null;
    public string PeerSubject => "CN=agent";
    public bool Send(IAgentProtocolMessage message) => Sent.TryAdd(message);
    public void Close(string reason) { }

    public T Next<T>() where T : IAgentProtocolMessage
    {
        Assert.True(Sent.TryTake(out var m, TimeSpan.FromSeconds(10)), $"no {typeof(T).Name} sent to the agent");
        return Assert.IsType<T>(m);
    }
}
