using System.Collections.Concurrent;
using System.Diagnostics;
using Akka.Actor;
using Forge.Arbiter;
using Forge.Nodes;

namespace Forge.Benchmarks.Scale;

/// <summary>
/// `arbiterlatency` verb: the ForgeArbiter alone (<see cref="ArbiterAlone"/>) under its steady-state load at POOLS pools
/// (every node's view refreshed once per view-refresh, paced every 10 ms, plus its own sweep every decide-interval),
/// and CHANGES spec changes on distinct pools at CHANGES_PER_S, each moving forging to another region: the time from
/// the change sent to the spec store until the revoke leaves the arbiter for the holder's node. No agents, no grant
/// quorum, no node entities: the arbiter's own share of the scale world's change → revoke.
/// </summary>
public static class ArbiterLatencyHarness
{
    public static int Run(int pools, int changes, double changesPerSecond)
    {
        Console.WriteLine(Machine.Describe());
        var revokedAt = new ConcurrentDictionary<string, long>(StringComparer.Ordinal);
        using var world = new ArbiterAlone(pools, Props.Create(() => new RevokeClock(revokedAt)));
        var decisions = new Samples();
        world.System.EventStream.Subscribe(world.System.ActorOf(Samples.DecisionListener(decisions)), typeof(ArbiterDecisionMeasured));
        world.Settle();

        using var stop = new CancellationTokenSource();
        var perTick = (int)Math.Ceiling(world.Views.Count / world.NodeSettings.ViewRefresh.TotalSeconds / 100); // every 10 ms
        var feeder = new Thread(() =>
        {
            var sw = Stopwatch.StartNew();
            for (long tick = 0, i = 0; !stop.IsCancellationRequested; tick++)
            {
                var due = TimeSpan.FromMilliseconds(tick * 10);
                if (due > sw.Elapsed) Thread.Sleep(due - sw.Elapsed);
                for (var k = 0; k < perTick; k++, i++) world.Arbiter.Tell(world.Views[(int)(i % world.Views.Count)]);
            }
        }) { IsBackground = true };
        feeder.Start();
        Thread.Sleep(TimeSpan.FromSeconds(3)); // a few sweeps under the view load
        decisions.Take();

        var rng = new Random(8);
        var order = Enumerable.Range(0, pools).OrderBy(_ => rng.Next()).Take(changes).ToList();
        var sentAt = new Dictionary<string, long>(StringComparer.Ordinal);
        var gcs = new GcWindow();
        var started = Stopwatch.StartNew();
        for (var i = 0; i < order.Count; i++)
        {
            var due = TimeSpan.FromSeconds(i / changesPerSecond);
            if (due > started.Elapsed) Thread.Sleep(due - started.Elapsed);
            var pool = world.Shape.Pool(order[i]);
            sentAt[pool] = Stopwatch.GetTimestamp();
            world.Specs.Tell(new SimSpecs.Prefer(pool, 1 + rng.Next(world.Shape.Regions.Length - 1)));
        }
        var done = Poll.Until(() => sentAt.Keys.All(revokedAt.ContainsKey), TimeSpan.FromSeconds(60));
        stop.Cancel();
        feeder.Join();
        var ms = sentAt.Where(s => revokedAt.ContainsKey(s.Key))
            .Select(s => Stopwatch.GetElapsedTime(s.Value, revokedAt[s.Key]).TotalMilliseconds).ToList();
        Console.WriteLine($"arbiter at {pools} pools ({world.Views.Count} nodes, {perTick * 100} view refreshes/s, sweep every " +
                          $"{world.Settings.DecideInterval.TotalSeconds} s): {changes} spec changes at {changesPerSecond}/s, {ms.Count} revoked" +
                          $"{(done ? "" : " (TIMED OUT)")}");
        Console.WriteLine($"  change → revoke out of the arbiter: {ScaleReport.Percentiles(ms)}");
        Console.WriteLine($"  Decide inside the arbiter: {ScaleReport.Percentiles(decisions.Take())}");
        Console.WriteLine($"  GC during the changes: {gcs.Describe()}");
        return done ? 0 : 1;
    }

    /// <summary>Stands for the node region: notes when each pool's first revoke arrives.</summary>
    private sealed class RevokeClock : ReceiveActor
    {
        public RevokeClock(ConcurrentDictionary<string, long> revokedAt)
        {
            Receive<DeliverRevoke>(r => revokedAt.TryAdd(r.Revoke.PoolId, Stopwatch.GetTimestamp()));
            ReceiveAny(_ => { });
        }
    }
}
