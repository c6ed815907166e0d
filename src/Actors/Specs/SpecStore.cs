using System.Collections.Immutable;
using Akka.Actor;
using Akka.DistributedData;
using Akka.Cluster;
using Akka.Event;

namespace Forge.Specs;

/// <summary>
/// The local door to the replicated specs: writes go to DistributedData (WriteLocal; gossip spreads them to every
/// coordinator), reads and subscriptions come from this coordinator's replica. Any coordinator accepts writes, so a
/// <c>kubectl patch</c> in any region takes effect; concurrent edits of one cluster resolve last-writer-wins.
/// </summary>
public sealed class SpecStore : ReceiveActor
{
    private sealed record PendingWrite(IActorRef ReplyTo, string PoolId, string ClusterName);

    /// <summary>A pool this replica does not know, being read from a majority before it is called unknown.</summary>
    private sealed record UnknownLookup(IActorRef ReplyTo, string PoolId);

    /// <summary>How long a majority read of a pool this coordinator does not know may take.</summary>
    public static readonly TimeSpan UnknownLookupTimeout = TimeSpan.FromSeconds(3);

    private readonly IActorRef _replicator;
    private readonly UniqueAddress _self;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly HashSet<IActorRef> _subscribers = [];
    private ImmutableHashSet<string> _pools = ImmutableHashSet<string>.Empty;
    private ImmutableDictionary<string, PoolSpecs> _specs = ImmutableDictionary<string, PoolSpecs>.Empty;
    private ImmutableDictionary<string, ImmutableDictionary<string, CopySeen>> _copies =
        ImmutableDictionary<string, ImmutableDictionary<string, CopySeen>>.Empty;

    public static Props Props() => Akka.Actor.Props.Create(() => new SpecStore());

    public SpecStore()
    {
        var dd = DistributedData.Get(Context.System);
        _replicator = dd.Replicator;
        _self = Akka.Cluster.Cluster.Get(Context.System).SelfUniqueAddress;

        Receive<PutClusterSpec>(Put);
        Receive<RemoveClusterSpec>(Remove);
        Receive<NoteCopy>(n => _replicator.Tell(Dsl.Update(SpecKeys.Copies(n.PoolId), LWWDictionary<string, CopySeen>.Empty,
            WriteLocal.Instance, d => d.SetItem(_self, CopySeen.KeyOf(n.Copy.Region, n.Copy.ClusterName), n.Copy))));
        Receive<GetPoolSpecs>(g =>
        {
            if (_specs.TryGetValue(g.PoolId, out var known)) Sender.Tell(known);
            // Not here (yet): a coordinator that has just (re)started may not have the specs by gossip, and "unknown pool"
            // refuses a registration, which makes a forging holder stop (seen: a 4 s gap after its entity moved to a
            // restarted coordinator). Ask a majority of coordinators before saying unknown.
            else _replicator.Tell(Dsl.Get(SpecKeys.Pool(g.PoolId), new ReadMajority(UnknownLookupTimeout), new UnknownLookup(Sender, g.PoolId)));
        });
        Receive<SubscribeSpecs>(_ =>
        {
            if (_subscribers.Add(Sender)) Context.Watch(Sender);
            foreach (var p in _specs.Values) Sender.Tell(p);
        });
        Receive<Terminated>(t => _subscribers.Remove(t.ActorRef));
        Receive<Changed>(OnChanged);
        // A write is confirmed only after a view including it went out: a view published later for another reason (a
        // copy note) is then never older than the write, so writers can trust every view after the confirmation.
        Receive<UpdateSuccess>(u =>
        {
            if (u.Request is PendingWrite w) _replicator.Tell(Dsl.Get(SpecKeys.Pool(w.PoolId), ReadLocal.Instance, w));
        });
        Receive<GetSuccess>(g =>
        {
            if (g.Request is UnknownLookup u)
            {
                PublishPool(u.PoolId, g.Get(SpecKeys.Pool(u.PoolId))); // known now: every subscriber may as well learn it
                u.ReplyTo.Tell(_specs[u.PoolId]);
                return;
            }
            if (g.Request is not PendingWrite w) return;
            PublishPool(w.PoolId, g.Get(SpecKeys.Pool(w.PoolId)));
            w.ReplyTo.Tell(new SpecStored(w.PoolId, w.ClusterName, true));
        });
        Receive<GetFailure>(f =>
        {
            if (f.Request is not UnknownLookup u) return;
            _log.Warning("pool {0}: a majority of coordinators did not answer within {1}s; answering with what this one knows",
                u.PoolId, UnknownLookupTimeout.TotalSeconds);
            u.ReplyTo.Tell(Unknown(u.PoolId));
        });
        Receive<NotFound>(n =>
        {
            if (n.Request is UnknownLookup u) u.ReplyTo.Tell(Unknown(u.PoolId));
            if (n.Request is PendingWrite w) w.ReplyTo.Tell(new SpecStored(w.PoolId, w.ClusterName, true)); // not expected: just written
        });
        Receive<IUpdateFailure>(f =>
        {
            if (f.Request is PendingWrite w)
            {
                _log.Warning("spec write for {0}/{1} failed: {2}", w.PoolId, w.ClusterName, f);
                w.ReplyTo.Tell(new SpecStored(w.PoolId, w.ClusterName, false, f.ToString()));
            }
        });
    }

    protected override void PreStart() => _replicator.Tell(Dsl.Subscribe(SpecKeys.Pools, Self));

    private void Put(PutClusterSpec p)
    {
        var now = DateTimeOffset.UtcNow;
        var entry = new SpecEntry(p.PoolId, p.ClusterName, p.Spec, false, p.Generation, now, now, p.Source);
        Write(p.PoolId, p.ClusterName, d =>
        {
            var exists = d.TryGetValue(p.ClusterName, out var old);
            if (p.OnlyIfAbsent)
                return exists ? d : d.SetItem(_self, p.ClusterName, entry, LowestTimestamp);
            var first = exists && !old!.Deleted ? old.FirstSeen : now;
            return d.SetItem(_self, p.ClusterName, entry with { FirstSeen = first });
        });
    }

    /// <summary>A fill-only write loses every last-writer-wins merge against a real write of the same cluster.</summary>
    private static long LowestTimestamp(long current, SpecEntry value) => 0;

    private void Remove(RemoveClusterSpec r)
    {
        var now = DateTimeOffset.UtcNow;
        Write(r.PoolId, r.ClusterName, d =>
        {
            var old = d.TryGetValue(r.ClusterName, out var o) ? o : null;
            var tomb = new SpecEntry(r.PoolId, r.ClusterName, null, true, old?.Generation ?? 0, old?.FirstSeen ?? now, now, r.Source);
            return d.SetItem(_self, r.ClusterName, tomb);
        });
    }

    private void Write(string poolId, string cluster, Func<LWWDictionary<string, SpecEntry>, LWWDictionary<string, SpecEntry>> modify)
    {
        if (string.IsNullOrWhiteSpace(poolId) || string.IsNullOrWhiteSpace(cluster))
        {
            Sender.Tell(new SpecStored(poolId, cluster, false, "pool id and cluster name are required"));
            return;
        }
        _replicator.Tell(Dsl.Update(SpecKeys.Pools, ORSet<string>.Empty, WriteLocal.Instance, s => s.Add(_self, poolId)));
        _replicator.Tell(Dsl.Update(SpecKeys.Pool(poolId), LWWDictionary<string, SpecEntry>.Empty, WriteLocal.Instance,
            new PendingWrite(Sender, poolId, cluster), modify));
    }

    private void OnChanged(Changed c)
    {
        if (c.Key.Equals(SpecKeys.Pools))
        {
            var pools = c.Get(SpecKeys.Pools).Elements;
            foreach (var added in pools.Except(_pools))
            {
                _replicator.Tell(Dsl.Subscribe(SpecKeys.Pool(added), Self));
                _replicator.Tell(Dsl.Subscribe(SpecKeys.Copies(added), Self));
            }
            _pools = pools.ToImmutableHashSet();
            return;
        }
        if (SpecKeys.CopiesPoolIdOf(c.Key) is { } copiesOf)
        {
            var copies = c.Get(SpecKeys.Copies(copiesOf)).Entries.ToImmutableDictionary(StringComparer.Ordinal);
            _copies = _copies.SetItem(copiesOf, copies);
            // Subscribers learn of copies with the specs: a pool without specs yet has nothing to project.
            if (_specs.TryGetValue(copiesOf, out var known)) Publish(known with { Copies = copies });
            return;
        }
        if (SpecKeys.PoolIdOf(c.Key) is not { } poolId) return;
        PublishPool(poolId, c.Get(SpecKeys.Pool(poolId)));
    }

    /// <summary>What this coordinator knows of a pool it has no specs of (perhaps copies, never a cluster).</summary>
    private PoolSpecs Unknown(string poolId) =>
        _specs.GetValueOrDefault(poolId) ?? new PoolSpecs(poolId, ImmutableDictionary<string, SpecEntry>.Empty, _copies.GetValueOrDefault(poolId));

    private void PublishPool(string poolId, LWWDictionary<string, SpecEntry> data) =>
        Publish(new PoolSpecs(poolId, data.Entries.ToImmutableDictionary(StringComparer.Ordinal), _copies.GetValueOrDefault(poolId)));

    private void Publish(PoolSpecs specs)
    {
        _specs = _specs.SetItem(specs.PoolId, specs);
        foreach (var s in _subscribers) s.Tell(specs);
    }
}
