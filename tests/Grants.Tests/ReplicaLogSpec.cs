using System.Text;
using System.Text.Json;
using Forge.Protocol;
using Xunit;
using static Forge.Grants.Tests.GrantTestData;

namespace Forge.Grants.Tests;

/// <summary>The replica's durable log (<see cref="FileReplicaStore"/>, format 2): writes proportional to what changed,
/// a torn last record ignored at every byte offset, damage refused, compaction, and format-1 files still loading.</summary>
public sealed class ReplicaLogSpec : IDisposable
{
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("grant-log-");

    private string LogPath => Path.Combine(_dir.FullName, FileReplicaStore.LogFileName);

    private static ReplicaState Grant(ReplicaState s, string pool, long counter, NodeId n, Guid i, TimeSpan now) =>
        ReplicaCore.AcceptGrant(s, new ReplicaAcceptGrant(pool, new TermId(counter, "x"), n, i, Ttl, null, 0), "a", now, Timing).State;

    private static ReplicaCore.Step<System.Collections.Immutable.ImmutableArray<ReplicaRenewalVerdict>> Renew(
        ReplicaState s, string pool, long counter, NodeId n, Guid i, TimeSpan now) =>
        ReplicaCore.Renew(s, [new ReplicaRenewalEntry(pool, new TermId(counter, "x"), n, i, Ttl)], now, Timing);

    /// <summary>What a load shows, as comparable text (the durable form at the load's clock).</summary>
    private static string Durable(ReplicaState s, TimeSpan now) =>
        Encoding.UTF8.GetString(JsonSerializer.SerializeToUtf8Bytes(ReplicaDurableState.From(s, now), WireCodec.Json));

    /// <summary>A never-voted replica, then: p1 granted, p1's first renewal, p2 granted (each its own write).</summary>
    private (FileReplicaStore Store, ReplicaState State) Written()
    {
        FileReplicaStore.InitializeNew(_dir.FullName);
        var store = new FileReplicaStore(_dir.FullName);
        var s = store.Load(S(0))!;
        s = Grant(s, "p1", 1, N0, I0, S(1));
        store.SaveChanges(s, ["p1"], S(1));
        var renewed = Renew(s, "p1", 1, N0, I0, S(2));
        Assert.True(renewed.Answer[0].Accepted);
        Assert.Equal("p1", Assert.Single(renewed.Changed)); // the first renewal flips `live`: a write
        store.SaveChanges(renewed.State, renewed.Changed, S(2));
        s = Grant(renewed.State, "p2", 1, N1, I1, S(3));
        store.SaveChanges(s, ["p2"], S(3));
        return (store, s);
    }

    [Fact]
    public void A_write_appends_only_the_changed_pools_and_a_reload_replays_them()
    {
        var (store, s) = Written();
        var loaded = new FileReplicaStore(_dir.FullName).Load(S(9))!;
        var p1 = loaded.Pool("p1")!;
        Assert.True(p1.Live);
        Assert.Equal(S(9), p1.LastRenewalAt); // a live term counts as renewed at the load, as before
        Assert.Equal(new TermId(1, "x"), loaded.Pool("p2")!.Term);
        Assert.False(loaded.Pool("p2")!.Live);
        Assert.False(loaded.Recovering);

        // 1,000 pools: the base holds them all; one pool's change appends one small record
        for (var p = 0; p < 1000; p++) s = Grant(s, $"pool{p:D4}", 1, N0, I0, S(4));
        store.Save(s, S(4));
        var baseBytes = new FileInfo(LogPath).Length;
        s = ReplicaCore.Release(s, new ReplicaReleaseNotice("pool0007", new TermRelease(new TermId(1, "x"), N0, I0), 0), "a").State;
        store.SaveChanges(s, ["pool0007"], S(5));
        var appended = new FileInfo(LogPath).Length - baseBytes;
        Assert.True(baseBytes > 100_000, $"base {baseBytes} B");
        Assert.True(appended < 1_000, $"one pool's change appended {appended} B");
        Assert.True(new FileReplicaStore(_dir.FullName).Load(S(6))!.Pool("pool0007")!.Released);
    }

    [Fact]
    public void A_torn_last_record_is_ignored_at_every_byte_offset_and_cut_off_before_the_next_append()
    {
        var (store, s) = Written();
        var before = File.ReadAllBytes(LogPath);
        var expected = Durable(new FileReplicaStore(_dir.FullName).Load(S(50))!, S(50));
        s = ReplicaCore.Release(s, new ReplicaReleaseNotice("p1", new TermRelease(new TermId(1, "x"), N0, I0), 0), "a").State;
        store.SaveChanges(s, ["p1"], S(4));
        var after = File.ReadAllBytes(LogPath);
        Assert.True(after.Length > before.Length);
        Assert.Equal(before, after[..before.Length]);

        var torn = Directory.CreateTempSubdirectory("grant-log-torn-");
        try
        {
            var tornLog = Path.Combine(torn.FullName, FileReplicaStore.LogFileName);
            for (var cut = before.Length; cut < after.Length; cut++)
            {
                File.WriteAllBytes(tornLog, after[..cut]);
                var loaded = new FileReplicaStore(torn.FullName).Load(S(50))!;
                Assert.Equal(expected, Durable(loaded, S(50)));
                Assert.Equal(before.Length, new FileInfo(tornLog).Length); // the torn tail is gone
            }

            // the file grew but its last block never reached the disk (zeros), then the next append follows a whole record
            File.WriteAllBytes(tornLog, [.. before, .. new byte[300]]);
            var again = new FileReplicaStore(torn.FullName);
            var state = again.Load(S(50))!;
            Assert.Equal(expected, Durable(state, S(50)));
            state = Grant(state, "p3", 1, N0, I0, S(51));
            again.SaveChanges(state, ["p3"], S(51));
            var reloaded = new FileReplicaStore(torn.FullName).Load(S(60))!;
            Assert.Equal(new TermId(1, "x"), reloaded.Pool("p3")!.Term);
            Assert.False(reloaded.Pool("p1")!.Released); // the torn release was never acknowledged
        }
        finally
        {
            torn.Delete(recursive: true);
        }
        Assert.True(new FileReplicaStore(_dir.FullName).Load(S(50))!.Pool("p1")!.Released); // the whole file has it
    }

    [Fact]
    public void A_damaged_record_before_a_whole_one_is_refused_not_skipped()
    {
        Written();
        var bytes = File.ReadAllBytes(LogPath);
        var records = ReplicaLogFraming.Read(bytes).Payloads;
        Assert.Equal(4, records.Count); // base + three changes
        var secondRecordPayload = ReplicaLogFraming.HeaderBytes * 2 + records[0].Length + 5;
        bytes[secondRecordPayload] ^= 0x20;
        File.WriteAllBytes(LogPath, bytes);
        Assert.Throws<InvalidDataException>(() => new FileReplicaStore(_dir.FullName).Load(S(9)));
    }

    [Fact]
    public void The_log_is_compacted_once_it_outgrows_its_base_and_keeps_every_pool()
    {
        FileReplicaStore.InitializeNew(_dir.FullName);
        var store = new FileReplicaStore(_dir.FullName);
        var s = store.Load(S(0))!;
        var memory = new MemoryReplicaStore();
        memory.Save(s, S(0));
        long largest = 0;
        for (var i = 1; i <= 600; i++)
        {
            var pool = $"pool{i % 40:D2}";
            s = Grant(s, pool, i, i % 2 == 0 ? N0 : N1, I0, S(i));
            store.SaveChanges(s, [pool], S(i));
            memory.SaveChanges(s, [pool], S(i));
            largest = Math.Max(largest, new FileInfo(LogPath).Length);
        }
        Assert.True(largest < FileReplicaStore.CompactAfterBytes + 1_000, $"log grew to {largest} B");
        Assert.Equal(Durable(memory.Load(S(700))!, S(700)), Durable(new FileReplicaStore(_dir.FullName).Load(S(700))!, S(700)));
        Assert.Equal(40, s.Pools.Count);
    }

    // A format-1 state file exactly as the whole-file store wrote it (one live term, one term still waiting 4.5 s).
    private const string FormatOneFile = """
        {"version":1,"pools":[{"poolId":"p","term":{"counter":2,"proposerId":"x","isNone":false},"holder":"c1/bp-0",
        "incarnation":"6d1f4c6e-3c39-4a8e-9a55-0c1c1d4b7a11","ttl":"00:00:05","live":false,"released":false,"activeRemaining":"00:00:04.5000000",
        "standalone":false},{"poolId":"q","term":{"counter":1,"proposerId":"x","isNone":false},"holder":"c0/bp-0",
        "incarnation":"0e3f1d2a-5b6c-4d7e-8f90-a1b2c3d4e5f6","ttl":"00:00:05","live":true,"released":false,"activeRemaining":"00:00:00",
        "standalone":false}],"amnesiaRemaining":"00:00:00"}
        """;

    [Fact]
    public void A_format_one_file_still_loads_and_the_next_write_replaces_it_by_a_log()
    {
        File.WriteAllText(Path.Combine(_dir.FullName, FileReplicaStore.FileName), FormatOneFile);
        var store = new FileReplicaStore(_dir.FullName);
        var s = store.Load(S(10))!;
        Assert.Equal(new TermId(2, "x"), s.Pool("p")!.Term);
        Assert.Equal(S(14.5), s.Pool("p")!.ActiveFrom);
        Assert.True(s.Pool("q")!.Live);
        Assert.Throws<InvalidOperationException>(() => FileReplicaStore.InitializeNew(_dir.FullName));

        s = Grant(s, "r", 1, N0, I0, S(11));
        store.SaveChanges(s, ["r"], S(11));
        Assert.False(File.Exists(Path.Combine(_dir.FullName, FileReplicaStore.FileName)));
        var reloaded = new FileReplicaStore(_dir.FullName).Load(S(20))!;
        Assert.Equal(["p", "q", "r"], reloaded.Pools.Keys.Order(StringComparer.Ordinal));
        Assert.True(reloaded.Pool("q")!.Live);
        Assert.Throws<InvalidOperationException>(() => FileReplicaStore.InitializeNew(_dir.FullName));
    }

    [Fact]
    public void No_file_means_no_state_and_files_are_private()
    {
        Assert.Null(new FileReplicaStore(_dir.FullName).Load(S(0))); // lost or new disk: recover by state transfer
        FileReplicaStore.InitializeNew(_dir.FullName);
        if (!OperatingSystem.IsWindows())
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(LogPath));
    }

    public void Dispose() => _dir.Delete(recursive: true);
}
