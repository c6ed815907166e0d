using System.Collections.Immutable;
using System.Text.Json;
using Forge.Protocol;

namespace Forge.Grants;

/// <summary>Where a replica keeps its state. <see cref="Load"/> returns null when there is no state (new or lost
/// disk): the replica then recovers by state transfer before it votes. <see cref="Save"/> returns only once the
/// state is durable (fsync), since the replica answers right after it.</summary>
public interface IReplicaStore
{
    ReplicaState? Load(TimeSpan now);
    void Save(ReplicaState state, TimeSpan now);
}

/// <summary>
/// The on-disk form: instants become durations relative to the save, and come back conservatively. A restart
/// cannot know how long it was down, so every wait restarts in full from the load (later than the truth), and a
/// live term counts as renewed at the load, which is why only the first renewal of a term needs a write.
/// </summary>
public sealed record ReplicaDurableState(int Version, ImmutableArray<ReplicaDurablePool> Pools, TimeSpan AmnesiaRemaining)
{
    public const int CurrentVersion = 1;

    public static ReplicaDurableState From(ReplicaState s, TimeSpan now) =>
        new(CurrentVersion, [.. s.Pools.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => new ReplicaDurablePool(
            p.Key, p.Value.Term, p.Value.Holder, p.Value.Incarnation, p.Value.Ttl, p.Value.Live, p.Value.Released,
            p.Value.ActiveFrom > now ? p.Value.ActiveFrom - now : TimeSpan.Zero, p.Value.Standalone))],
            s.AmnesiaUntil > now ? s.AmnesiaUntil - now : TimeSpan.Zero);

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

/// <summary>A small JSON file written as temp file + fsync + rename + directory fsync.</summary>
public sealed class FileReplicaStore : IReplicaStore
{
    public const string FileName = "grant-replica.json";
    private readonly string _directory;

    public FileReplicaStore(string directory) => _directory = directory;

    private string PathOf => Path.Combine(_directory, FileName);

    /// <summary>
    /// Marks a brand-new replica directory as "never voted": the replica then loads an empty state and votes at once,
    /// instead of recovering by state transfer and waiting out the amnesia hold (one hold of the longest TTL, ~35 s)
    /// before any first term can forge. True only for a directory no replica has ever used, so it refuses a directory
    /// that holds state; never run it on a volume that lost its data (that replica must recover).
    /// </summary>
    public static void InitializeNew(string directory)
    {
        var store = new FileReplicaStore(directory);
        if (File.Exists(store.PathOf))
            throw new InvalidOperationException($"{store.PathOf} exists: this replica has voted before; it must keep or recover its state");
        store.Save(ReplicaState.NeverVoted, TimeSpan.Zero);
    }

    public ReplicaState? Load(TimeSpan now)
    {
        if (!File.Exists(PathOf)) return null;
        var durable = JsonSerializer.Deserialize<ReplicaDurableState>(File.ReadAllBytes(PathOf), WireCodec.Json)
            ?? throw new InvalidDataException($"{PathOf} is empty");
        if (durable.Version != ReplicaDurableState.CurrentVersion)
            throw new InvalidDataException($"{PathOf} has version {durable.Version}, expected {ReplicaDurableState.CurrentVersion}");
        return durable.ToState(now);
    }

    public void Save(ReplicaState state, TimeSpan now)
    {
        Directory.CreateDirectory(_directory);
        var temp = PathOf + ".tmp";
        var bytes = JsonSerializer.SerializeToUtf8Bytes(ReplicaDurableState.From(state, now), WireCodec.Json);
        using (var f = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None, 4096, FileOptions.WriteThrough))
        {
            f.Write(bytes);
            f.Flush(flushToDisk: true);
        }
        File.Move(temp, PathOf, overwrite: true);
        FsyncDirectory();
    }

    // the rename is durable only once the directory entry is
    private void FsyncDirectory() => DirectoryFsync.Flush(_directory);
}

/// <summary>In-memory store for tests and the simulation; <see cref="Lose"/> simulates a lost disk.</summary>
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

    public void Lose() => _saved = null;
}
