using System.Diagnostics;
using Akka.Actor;

namespace Forge.Benchmarks.Scale;

/// <summary>
/// `arbiterthroughput` verb: how many node view refreshes per second the ForgeArbiter (one actor, the production
/// settings) absorbs at POOLS pools × 3 regions × 2 nodes in steady state (<see cref="ArbiterAlone"/>). Every
/// NodeViewChanged is handled at once; the node entities send one per node per view-refresh, so the arbiter must absorb
/// nodes / view-refresh per second (3,000/s at 1,000 pools) plus its own sweep of every pool each decide-interval.
/// Measured: a burst of N refreshes, then a GetPoolState round trip.
/// </summary>
public static class ArbiterThroughputHarness
{
    public static int Run(int pools, int views)
    {
        Console.WriteLine(Machine.Describe());
        using var world = new ArbiterAlone(pools, Sink.Props());
        world.Settle();
        var all = world.Views;
        var ms = new List<double>();
        for (var round = 0; round < 5; round++)
        {
            var sw = Stopwatch.StartNew();
            for (var i = 0; i < views; i++) world.Arbiter.Tell(all[(round * views + i) % all.Count]);
            world.RoundTrip();
            ms.Add(sw.Elapsed.TotalMilliseconds);
        }
        var best = ms.Min();
        var needed = all.Count / world.NodeSettings.ViewRefresh.TotalSeconds;
        Console.WriteLine($"arbiter at {pools} pools ({all.Count} nodes): {views} view refreshes in {string.Join(", ", ms.Select(m => $"{m:0} ms"))} " +
                          $"→ best {views / best * 1000:0} views/s ({best * 1000 / views:0.0} µs each); the node entities send {needed:0}/s " +
                          $"({all.Count} nodes / view-refresh {world.NodeSettings.ViewRefresh.TotalSeconds} s), plus the sweep of {pools} pools every " +
                          $"{world.Settings.DecideInterval.TotalSeconds} s");
        return 0;
    }
}
