using System.Collections.Immutable;
using System.Diagnostics;
using Forge.Benchmarks.Scale;
using Forge.Grants;
using Forge.Protocol;

namespace Forge.Benchmarks;

/// <summary>
/// `replicawrite` verb: the cost of one durable write of a grant replica holding POOLS pools (FileReplicaStore.Save:
/// the whole state as JSON, temp file, fsync, rename, directory fsync), the write every accepted term, first
/// renewal of a term and release costs (renewal rounds of live terms write nothing). 1 / this time bounds how many
/// such changes one replica can take per second.
/// </summary>
public static class ReplicaWriteHarness
{
    public static int Run(int pools, int writes)
    {
        Console.WriteLine(Machine.Describe());
        var dir = Directory.CreateTempSubdirectory("forge-replica-write-");
        try
        {
            var state = ReplicaState.Fresh with { Recovering = false };
            for (var p = 0; p < pools; p++)
            {
                var node = new NodeId($"p{p:D6}-us-east-1", "cardano-bp-0");
                state = state.With(new ReplicaPoolState(new TermId(7, "coordinator-us-east-1-0"), node, Guid.NewGuid(), TimeSpan.FromSeconds(5),
                    Live: true, Released: false, AcceptedAt: TimeSpan.FromSeconds(10), ActiveFrom: TimeSpan.FromSeconds(10),
                    LastRenewalAt: TimeSpan.FromSeconds(100)), $"pool{p:D6}");
            }
            var store = new FileReplicaStore(dir.FullName);
            var ms = new List<double>();
            for (var i = 0; i < writes; i++)
            {
                var started = Stopwatch.GetTimestamp();
                store.Save(state, TimeSpan.FromSeconds(100));
                ms.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            }
            var size = new FileInfo(Path.Combine(dir.FullName, FileReplicaStore.FileName)).Length;
            Console.WriteLine($"replica state of {pools} pools: {size / 1024.0:0} KiB per write; {writes} writes: {ScaleReport.Percentiles(ms)}; " +
                              $"≈ {1000 / ms.Order().ElementAt(ms.Count / 2):0} writes/s per replica at the median");
            return 0;
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }
}
