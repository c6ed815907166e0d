using System.Collections.Immutable;
using Akka.Actor;
using Forge.Decider;
using Forge.Specs;

namespace Forge.Benchmarks.Scale;

/// <summary>The spec store of the scale world (DistributedData is not run here): every pool has one
/// CardanoForgeCluster per region; <see cref="Prefer"/> is an operator's spec change (the named cluster gets
/// priority 1, the others 3 and 4), sent to subscribers like a replicated change. A projection's writes are
/// acknowledged and counted (in steady state there must be none).</summary>
public sealed class SimSpecs : ReceiveActor
{
    public sealed record Prefer(string PoolId, int ClusterIndex);

    private static readonly DateTimeOffset FirstSeen = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private readonly Dictionary<string, PoolSpecs> _specs = new(StringComparer.Ordinal);
    private readonly List<IActorRef> _subscribers = [];
    private long _generation = 1;

    /// <param name="route">Where a subscriber's messages go (the arbiter's through its counting proxy).</param>
    public static Props Props(ScaleWorldShape shape, Func<IActorRef, IActorRef> route, ScaleCounters counters) =>
        Akka.Actor.Props.Create(() => new SimSpecs(shape, route, counters));

    public SimSpecs(ScaleWorldShape shape, Func<IActorRef, IActorRef> route, ScaleCounters counters)
    {
        for (var p = 0; p < shape.Pools; p++) _specs[shape.Pool(p)] = Specs(shape, p, 0);
        Receive<GetPoolSpecs>(g => Sender.Tell(_specs.GetValueOrDefault(g.PoolId)
            ?? new PoolSpecs(g.PoolId, ImmutableDictionary<string, SpecEntry>.Empty)));
        Receive<SubscribeSpecs>(_ =>
        {
            var to = route(Sender);
            _subscribers.Add(to);
            foreach (var s in _specs.Values) to.Tell(s);
        });
        Receive<Prefer>(c =>
        {
            var p = shape.PoolIndex(c.PoolId);
            _specs[c.PoolId] = Specs(shape, p, c.ClusterIndex, ++_generation);
            foreach (var s in _subscribers) s.Tell(_specs[c.PoolId]);
        });
        Receive<PutClusterSpec>(w =>
        {
            Interlocked.Increment(ref counters.SpecWrites);
            Sender.Tell(new SpecStored(w.PoolId, w.ClusterName, true));
        });
        Receive<RemoveClusterSpec>(w =>
        {
            Interlocked.Increment(ref counters.SpecWrites);
            Sender.Tell(new SpecStored(w.PoolId, w.ClusterName, true));
        });
    }

    private static PoolSpecs Specs(ScaleWorldShape shape, int pool, int preferred, long generation = 1)
    {
        var id = shape.Pool(pool);
        var entries = Enumerable.Range(0, shape.Regions.Length).ToImmutableDictionary(
            r => shape.Cluster(pool, r),
            r => new SpecEntry(id, shape.Cluster(pool, r),
                new ClusterSpec(shape.Regions[r], r == preferred ? 1 : 2 + (r + shape.Regions.Length - preferred) % shape.Regions.Length,
                    "Priority-based"),
                false, generation, FirstSeen.AddSeconds(r), DateTimeOffset.UtcNow, "bench"),
            StringComparer.Ordinal);
        return new PoolSpecs(id, entries);
    }
}
