using System.Diagnostics;
using Forge.Benchmarks.Scale;
using Forge.Grants;
using Forge.Protocol;

namespace Forge.Benchmarks;

/// <summary>
/// `replicawrite` verb: the durable writes of a grant replica holding POOLS pools (<see cref="FileReplicaStore"/>, an
/// append-only log): WRITES appends of one pool's change (what an accepted term, a first renewal or a release costs),
/// WRITES / 10 appends of every pool's change at once (a batch: every pool failing over together), and WRITES / 10 whole-
/// state writes (the log's base: what a compaction, a recovery, and before the log every write cost). Each is an fsync
/// before returning; 1 / its time bounds how many such changes one replica takes per second.
/// </summary>
public static class ReplicaWriteHarness
{
    public static int Run(int pools, int writes)
    {
        Console.WriteLine(Machine.Describe());
        var dir = Directory.CreateTempSubdirectory("forge-replica-write-");
        try
        {
            var state = ReplicaState.NeverVoted;
            var ids = new List<string>(pools);
            for (var p = 0; p < pools; p++)
            {
                var node = new NodeId($"p{p:D6}-us-east-1", "cardano-bp-0");
                ids.Add($"pool{p:D6}");
                state = state.With(new ReplicaPoolState(new TermId(7, "coordinator-us-east-1-0"), node, Guid.NewGuid(), TimeSpan.FromSeconds(5),
                    Live: true, Released: false, AcceptedAt: TimeSpan.FromSeconds(10), ActiveFrom: TimeSpan.FromSeconds(10),
                    LastRenewalAt: TimeSpan.FromSeconds(100)), ids[^1]);
            }
            var store = new FileReplicaStore(dir.FullName);
            var log = Path.Combine(dir.FullName, FileReplicaStore.LogFileName);
            var now = TimeSpan.FromSeconds(100);
            var (whole, wholeBytes) = Time(Math.Max(1, writes / 10), _ => store.Save(state, now), log);
            var (one, oneBytes) = Time(writes, i => store.SaveChanges(state, [ids[i % pools]], now), log);
            var (all, allBytes) = Time(Math.Max(1, writes / 10), _ => store.SaveChanges(state, ids, now), log);
            Console.WriteLine($"grant replica of {pools} pools, append-only log ({FileReplicaStore.LogFileName}):");
            Console.WriteLine($"  one pool's change (a term, a first renewal, a release): {oneBytes:0} B appended; {ScaleReport.Percentiles(one)}; " +
                              $"≈ {1000 / Median(one):0} writes/s per replica at the median");
            Console.WriteLine($"  all {pools} pools' changes in one batch: {allBytes / 1024:0} KiB appended; {ScaleReport.Percentiles(all)}");
            Console.WriteLine($"  whole state (the log's base: compaction, recovery; every write before the log): {wholeBytes / 1024:0} KiB " +
                              $"(temp file, fsync, rename, directory fsync); {ScaleReport.Percentiles(whole)}");
            return 0;
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    /// <summary>Times each write; also the bytes a write added to the log (or the log's size after a whole-state write),
    /// averaged over writes that did not compact.</summary>
    private static (List<double> Ms, double Bytes) Time(int count, Action<int> write, string log)
    {
        var ms = new List<double>(count);
        var grew = new List<long>();
        for (var i = 0; i < count; i++)
        {
            var before = File.Exists(log) ? new FileInfo(log).Length : 0;
            var started = Stopwatch.GetTimestamp();
            write(i);
            ms.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            var after = new FileInfo(log).Length;
            grew.Add(after > before ? after - before : after);
        }
        return (ms, grew.Order().ElementAt(grew.Count / 2));
    }

    private static double Median(List<double> ms) => ms.Order().ElementAt(ms.Count / 2);
}
