using System.Text.Json;
using Forge.Protocol;

namespace Forge.Grants;

/// <summary>
/// A replica's durable state as an append-only log (format 2, <see cref="LogFileName"/>): a base record with every pool,
/// then one record per write with only the pools that write changed, each appended and fsynced before the replica
/// answers, so a write costs what changed (a term, a first renewal, a release: a few hundred bytes), not the whole grant
/// table. When the log has grown past twice its base (and <see cref="CompactAfterBytes"/>), the next write compacts it:
/// a new base in a temp file, fsync, rename, directory fsync. A crash can tear only the last record (each append is
/// fsynced before the next); loading ignores a torn tail and truncates it away before appending again.
/// A format-1 file (<see cref="FileName"/>, the whole state as JSON) still loads; the next write replaces it by a log.
/// Files are created 0600.
/// </summary>
public sealed class FileReplicaStore : IReplicaStore
{
    /// <summary>Format 1: the whole state, rewritten on every change (loaded, never written any more).</summary>
    public const string FileName = "grant-replica.json";

    /// <summary>Format 2: the log.</summary>
    public const string LogFileName = "grant-replica.log";

    /// <summary>Below this size a log is never compacted (a small table compacts rarely rather than often).</summary>
    public const long CompactAfterBytes = 64 * 1024;

    private readonly string _directory;
    private FileStream? _log;
    private long _logBytes = -1; // -1: no log yet (none, or a format-1 file): the next write writes a base
    private long _baseBytes;
    private string? _failed;     // an append that failed and could not be cut off: nothing of this log is trusted

    public FileReplicaStore(string directory) => _directory = directory;

    private string LogPath => Path.Combine(_directory, LogFileName);
    private string LegacyPath => Path.Combine(_directory, FileName);

    /// <summary>
    /// Marks a brand-new replica directory as "never voted": the replica then loads an empty state and votes at once,
    /// instead of recovering by state transfer and waiting out the amnesia hold (one hold of the longest TTL, ~35 s)
    /// before any first term can forge. True only for a directory no replica has ever used, so it refuses a directory
    /// that holds state; never run it on a volume that lost its data (that replica must recover).
    /// </summary>
    public static void InitializeNew(string directory)
    {
        var store = new FileReplicaStore(directory);
        foreach (var path in new[] { store.LogPath, store.LegacyPath })
            if (File.Exists(path))
                throw new InvalidOperationException($"{path} exists: this replica has voted before; it must keep or recover its state");
        store.Save(ReplicaState.NeverVoted, TimeSpan.Zero);
        store.Close();
    }

    public ReplicaState? Load(TimeSpan now)
    {
        if (_failed is not null) throw new IOException($"{LogPath}: an earlier write failed and could not be undone ({_failed}); not trusted");
        Close();
        _logBytes = -1;
        if (File.Exists(LogPath)) return LoadLog(now);
        if (!File.Exists(LegacyPath)) return null;
        var durable = JsonSerializer.Deserialize<ReplicaDurableState>(File.ReadAllBytes(LegacyPath), WireCodec.Json)
            ?? throw new InvalidDataException($"{LegacyPath} is empty");
        if (durable.Version != ReplicaDurableState.FileVersion)
            throw new InvalidDataException($"{LegacyPath} has version {durable.Version}, expected {ReplicaDurableState.FileVersion}");
        return durable.ToState(now);
    }

    private ReplicaState LoadLog(TimeSpan now)
    {
        var bytes = File.ReadAllBytes(LogPath);
        var contents = ReplicaLogFraming.Read(bytes);
        // the log is only ever named after its base was fsynced: no base is damage, not a crash
        if (contents.Payloads.Count == 0) throw new InvalidDataException($"{LogPath} holds no whole record");
        var records = contents.Payloads.Select(p => JsonSerializer.Deserialize<ReplicaDurableState>(p.Span, WireCodec.Json)
            ?? throw new InvalidDataException($"{LogPath}: an empty record")).ToList();
        if (records.FirstOrDefault(r => r.Version != ReplicaDurableState.LogVersion) is { } bad)
            throw new InvalidDataException($"{LogPath} has a record of version {bad.Version}, expected {ReplicaDurableState.LogVersion}");
        if (contents.HasTornTail(bytes.Length))
        {
            // a write that never completed was never answered: cut it off so the next append follows a whole record
            using var f = Open(LogPath, FileMode.Open);
            f.SetLength(contents.ValidLength);
            f.Flush(flushToDisk: true);
        }
        (_logBytes, _baseBytes) = (contents.ValidLength, ReplicaLogFraming.HeaderBytes + contents.Payloads[0].Length);
        return ReplicaDurableState.Replay(records).ToState(now);
    }

    public void Save(ReplicaState state, TimeSpan now) => WriteBase(state, now);

    public void SaveChanges(ReplicaState state, IReadOnlyCollection<string> pools, TimeSpan now)
    {
        if (_logBytes < 0)
        {
            WriteBase(state, now);
            return;
        }
        Append(ReplicaLogFraming.Frame(JsonSerializer.SerializeToUtf8Bytes(ReplicaDurableState.Changes(state, pools, now), WireCodec.Json)));
        if (_logBytes > Math.Max(CompactAfterBytes, 2 * _baseBytes)) WriteBase(state, now);
    }

    private void Append(byte[] record)
    {
        try
        {
            _log ??= Open(LogPath, FileMode.Open);
            _log.Position = _logBytes;
            _log.Write(record);
            _log.Flush(flushToDisk: true);
            _logBytes += record.Length;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // the record may sit in the page cache without being durable: cut it off, or trust nothing of this log
            Close();
            try
            {
                using var f = Open(LogPath, FileMode.Open);
                f.SetLength(_logBytes);
                f.Flush(flushToDisk: true);
            }
            catch (Exception undo) when (undo is IOException or UnauthorizedAccessException)
            {
                _failed = $"{e.Message}; then {undo.Message}";
            }
            throw;
        }
    }

    /// <summary>A new log holding one base record: temp file + fsync + rename + directory fsync (the old log, or a
    /// format-1 file, stays whole until the rename).</summary>
    private void WriteBase(ReplicaState state, TimeSpan now)
    {
        Directory.CreateDirectory(_directory);
        Close();
        var record = ReplicaLogFraming.Frame(JsonSerializer.SerializeToUtf8Bytes(ReplicaDurableState.From(state, now), WireCodec.Json));
        var temp = LogPath + ".tmp";
        using (var f = Open(temp, FileMode.Create))
        {
            f.Write(record);
            f.Flush(flushToDisk: true);
        }
        File.Move(temp, LogPath, overwrite: true);
        DirectoryFsync.Flush(_directory); // the rename is durable only once the directory entry is
        (_logBytes, _baseBytes, _failed) = (record.Length, record.Length, null);
        if (File.Exists(LegacyPath))
        {
            File.Delete(LegacyPath); // the log supersedes it (a load prefers the log in any case)
            DirectoryFsync.Flush(_directory);
        }
    }

    private static FileStream Open(string path, FileMode mode)
    {
        var options = new FileStreamOptions { Mode = mode, Access = FileAccess.Write, Share = FileShare.Read, BufferSize = 0 };
        if (mode != FileMode.Open && !OperatingSystem.IsWindows()) options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        return new FileStream(path, options);
    }

    private void Close()
    {
        _log?.Dispose();
        _log = null;
    }
}
