using Akka.Cluster.Sharding;
using Forge.Protocol;

namespace Forge.Nodes;

/// <summary>Routes node messages to the entity <c>&lt;cluster&gt;/&lt;pod&gt;</c>.</summary>
public sealed class NodeMessageExtractor(int numberOfShards) : HashCodeMessageExtractor(numberOfShards)
{
    public override string? EntityId(object message) => NodeOf(message)?.ToString();

    public static NodeId? NodeOf(object message) => message switch
    {
        INodeMessage m => m.Node,
        RegisterAgent r => r.Node,
        NodeStatusReport r => r.Node,
        Released r => r.Node,
        HandoverRequest r => r.Node,
        _ => null,
    };
}
