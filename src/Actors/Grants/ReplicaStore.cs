using System.Collections.Immutable;
using Forge.Protocol;

namespace Forge.Grants;

/// <summary>Where a replica keeps its state. <see cref="Load"/> returns null when there is no state (new or lost
/// disk): the replica then recovers by state transfer before it votes. <see cref="Save"/> and <see cref="SaveChanges"/>
/// return only once the state is durable (fsync), since the replica answers right after them.</summary>
public interface IReplicaStore
{
    ReplicaState? Load(TimeSpan now);

    /// <summary>The whole state (a recovered or a new replica).</summary>
    void Save(ReplicaState state, TimeSpan now);

    /// <summary>Only <paramref name="pools"/> changed since the last write (and the amnesia hold, which is carried
    /// along): a store may write just their records. <paramref name="state"/> is the whole state after the change.</summary>
    void SaveChanges(ReplicaState state, IReadOnlyCollection<string> pools, TimeSpan now);
}

/// <summary>
/// The on-disk form: instants become durations relative to the write, and come back conservatively. A restart
/// cannot know how long it was down, so every wait restarts in full from the load (later than the truth), and a
/// live term counts as renewed at the load, which is why only the first renewal of a term needs a write.
/// Format 1 is a whole-state file (<see cref="FileReplicaStore.FileName"/>); format 2 is a log of these records
/// (<see cref="FileReplicaStore.LogFileName"/>): a base with every pool, then one record per write with the pools it
/// changed. Replaying keeps each pool's latest record and the latest amnesia hold, which is the state the whole-file
/// writes would have held, except that a pool's remaining wait counts from its own record's write (never shorter).
/// </summary>
public sealed record ReplicaDurableState(int Version, ImmutableArray<ReplicaDurablePool> Pools, TimeSpan AmnesiaRemaining)
{
    /// <summary>The whole-state JSON file, rewritten on every change (still loaded; replaced by a log at the next write).</summary>
    public const int FileVersion = 1;

    /// <summary>A record of the append-only log.</summary>
    public const int LogVersion = 2;

    public static ReplicaDurableState From(ReplicaState s, TimeSpan now, int version = LogVersion) =>
        Of(s, s.Pools.Keys, now, version);

    public static ReplicaDurableState Changes(ReplicaState s, IEnumerable<string> pools, TimeSpan now) =>
        Of(s, pools.Where(s.Pools.ContainsKey).Distinct(StringComparer.Ordinal), now, LogVersion);

    private static ReplicaDurableState Of(ReplicaState s, IEnumerable<string> pools, TimeSpan now, int version) =>
        new(version, [.. pools.Order(StringComparer.Ordinal).Select(id => Durable(id, s.Pools[id], now))],
            s.AmnesiaUntil > now ? s.AmnesiaUntil - now : TimeSpan.Zero);

    private static ReplicaDurablePool Durable(string id, ReplicaPoolState p, TimeSpan now) =>
        new(id, p.Term, p.Holder, p.Incarnation, p.Ttl, p.Live, p.Released, p.ActiveFrom > now ? p.ActiveFrom - now : TimeSpan.Zero, p.Standalone);

    /// <summary>A base record followed by later ones: each pool's latest record, the latest amnesia hold.</summary>
    public static ReplicaDurableState Replay(IEnumerable<ReplicaDurableState> records)
    {
        var pools = new SortedDictionary<string, ReplicaDurablePool>(StringComparer.Ordinal);
        var amnesia = TimeSpan.Zero;
        var version = 0;
        foreach (var r in records)
        {
            foreach (var p in r.Pools) pools[p.PoolId] = p;
            (amnesia, version) = (r.AmnesiaRemaining, r.Version);
        }
        return new(version, [.. pools.Values], amnesia);
    }

    public ReplicaState ToState(TimeSpan now) => new(false, Pools.ToImmutableDictionary(
        p => p.PoolId,
        p => new ReplicaPoolState(p.Term, p.Holder, p.Incarnation, p.Ttl, p.Live, p.Released,
            AcceptedAt: now, ActiveFrom: now + p.ActiveRemaining, LastRenewalAt: p.Live ? now : null, p.Standalone),
        StringComparer.Ordinal), now + AmnesiaRemaining);
}

/// <param name="Standalone">Absent from files written before standalone terms: false.</param>
public sealed record ReplicaDurablePool(
    string PoolId, TermId Term, NodeId Holder, Guid Incarnation, TimeSpan Ttl, bool Live, bool Released, TimeSpan ActiveRemaining,
    bool Standalone = false);

/// <summary>In-memory store for tests and the simulation (the same records and replay as the file's log);
/// <see cref="Lose"/> simulates a lost disk.</summary>
public sealed class MemoryReplicaStore : IReplicaStore
{
    private ReplicaDurableState? _saved;
    public int Saves { get; private set; }

    public ReplicaState? Load(TimeSpan now) => _saved?.ToState(now);

    public void Save(ReplicaState state, TimeSpan now)
    {
        _saved = ReplicaDurableState.From(state, now);
        Saves++;
    }

    public void SaveChanges(ReplicaState state, IReadOnlyCollection<string> pools, TimeSpan now)
    {
        // like the file store: no base yet means the whole state
        _saved = _saved is null ? ReplicaDurableState.From(state, now) : ReplicaDurableState.Replay([_saved, ReplicaDurableState.Changes(state, pools, now)]);
        Saves++;
    }

    public void Lose() => _saved = null;
}
