using Akka.Cluster.Sharding;
using Akka.Util;
using Forge.Protocol;

namespace Forge.Nodes;

/// <summary>
/// Routes node messages to the entity <c>&lt;cluster&gt;/&lt;pod&gt;</c>. A shard holds nodes of one cluster only
/// (<c>&lt;cluster&gt;#&lt;n&gt;</c>), so <see cref="HomeRegionAllocation"/> can keep a cluster's node entities on a
/// coordinator of that cluster's own region: losing another region then never strands them (before, a surviving
/// node's registration waited ~10 s for its shard to leave a killed region's coordinator).
/// </summary>
public sealed class NodeMessageExtractor : IMessageExtractor
{
    private readonly int _shardsPerCluster;

    public NodeMessageExtractor(int shardsPerCluster)
    {
        if (shardsPerCluster < 1) throw new ArgumentOutOfRangeException(nameof(shardsPerCluster), "forge.nodes.number-of-shards must be at least 1");
        _shardsPerCluster = shardsPerCluster;
    }

    public string? EntityId(object message) => NodeOf(message)?.ToString();

    public object? EntityMessage(object message) => message;

    public string? ShardId(object message) => EntityId(message) is { } id ? ShardId(id, message) : null;

    /// <summary><c>&lt;cluster&gt;#&lt;n&gt;</c>, n from a hash that is the same in every process (MurmurHash, not
    /// string.GetHashCode, which .NET randomises per process).</summary>
    public string ShardId(string entityId, object? messageHint = null)
    {
        var slash = entityId.IndexOf('/');
        var cluster = slash < 0 ? entityId : entityId[..slash];
        var n = (MurmurHash.StringHash(entityId) & int.MaxValue) % _shardsPerCluster;
        return $"{cluster}#{n}";
    }

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
