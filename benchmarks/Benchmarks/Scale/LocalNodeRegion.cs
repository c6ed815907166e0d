using Akka.Actor;
using Forge.Nodes;

namespace Forge.Benchmarks.Scale;

/// <summary>The node shard region of one process: one real <see cref="NodeEntity"/> per node, created on first
/// message (Sharding's routing without its cluster). Counts what the arbiter sends to nodes.</summary>
public sealed class LocalNodeRegion : ReceiveActor
{
    private readonly Dictionary<string, IActorRef> _entities = new(StringComparer.Ordinal);

    public static Props Props(NodeSettings settings, IActorRef arbiter, IActorRef specs, ScaleCounters counters, ScaleRecorder recorder) =>
        Akka.Actor.Props.Create(() => new LocalNodeRegion(settings, arbiter, specs, counters, recorder));

    public LocalNodeRegion(NodeSettings settings, IActorRef arbiter, IActorRef specs, ScaleCounters counters, ScaleRecorder recorder)
    {
        ReceiveAny(m =>
        {
            if (NodeMessageExtractor.NodeOf(m) is not { } node)
            {
                Unhandled(m);
                return;
            }
            if (m is DeliverGrant or DeliverRevoke or DeliverClusterInfo or RefuseNode) Interlocked.Increment(ref counters.ArbiterOut);
            if (m is DeliverRevoke r) recorder.RevokeRouted(r.Revoke.PoolId); // the arbiter's decision is out
            var id = node.ToString();
            if (!_entities.TryGetValue(id, out var entity))
                _entities[id] = entity = Context.ActorOf(NodeEntity.Props(node, settings, arbiter, specs, "bench-coordinator"),
                    Uri.EscapeDataString(id));
            entity.Forward(m);
        });
    }
}
