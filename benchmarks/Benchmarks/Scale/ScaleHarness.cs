using System.Diagnostics;
using System.Globalization;
using Akka.Actor;

namespace Forge.Benchmarks.Scale;

/// <summary>
/// `scale` verb over a <see cref="ScaleWorld"/>. Phases: start the agents (all at once, or a ramp of pools a second);
/// wait until every pool forges; a steady window (messages/s, quorum writes/s, CPU, memory); spec changes on distinct
/// pools at a fixed rate (latency from the change to the revoke at the holder's agent, and to the new forger's first
/// majority-accepted answer), with the arbiter's own Decide timings and the replicas' write timings.
/// </summary>
public static class ScaleHarness
{
    public sealed record Options(int Pools, int SteadySeconds, int Changes, double ChangesPerSecond, double RampPoolsPerSecond);

    public static int Run(Options o)
    {
        var heapBefore = ManagedHeap();
        var rssBefore = RssMiB();
        using var world = new ScaleWorld(o.Pools);
        Console.WriteLine("scale world: " + world.Describe());
        Console.WriteLine(Machine.Describe());
        var c = world.Counters;
        var recorder = world.Recorder;

        // 1. start
        world.StartAgents(o.RampPoolsPerSecond);
        Console.WriteLine($"agents started in {world.Clock.Elapsed.TotalSeconds:0.0} s ({(o.RampPoolsPerSecond > 0 ? $"{o.RampPoolsPerSecond} pools/s" : "all at once")})");
        if (!world.AwaitAllForging(TimeSpan.FromMinutes(5)))
        {
            Console.WriteLine($"FAILED: after {world.Clock.Elapsed.TotalSeconds:0} s only {recorder.ForgingPools} of {o.Pools} pools forge " +
                              $"(refused registrations {recorder.Refused}); quorum writes {c.ReplicaWrites}: {ScaleReport.Percentiles(world.WriteMs.Take())}; " +
                              $"refusals: {recorder.TopRefusals(6)}");
            return 1;
        }
        Console.WriteLine($"start: every pool forges after {world.Clock.Elapsed.TotalSeconds:0.0} s (startup-settle {world.Arbiter.StartupSettle.TotalSeconds} s included); " +
                          $"quorum writes {c.ReplicaWrites}, each {ScaleReport.Percentiles(world.WriteMs.Take())}");

        // 2. steady state
        Thread.Sleep(TimeSpan.FromSeconds(5)); // the start's last rounds drain
        world.DecisionMs.Take();
        world.WriteMs.Take();
        var steady = Window.Measure(c, TimeSpan.FromSeconds(o.SteadySeconds));
        steady.Print("steady state", world.Grants.Regions.Length);
        Console.WriteLine($"  GC committed {GC.GetGCMemoryInfo().TotalCommittedBytes / 1048576.0:0.0} MiB, RSS {RssMiB():0.0} MiB (no forced collection here)");
        Console.WriteLine($"  Decide inside the arbiter: {ScaleReport.Percentiles(world.DecisionMs.Take())}; quorum writes: {ScaleReport.Percentiles(world.WriteMs.Take())}");

        // 3. spec changes, each on a pool not changed before, at a fixed rate
        var rng = new Random(8);
        var order = Enumerable.Range(0, o.Pools).OrderBy(_ => rng.Next()).Take(o.Changes).ToList();
        var before = c.Snapshot();
        var started = Stopwatch.StartNew();
        var cpu0 = Process.GetCurrentProcess().TotalProcessorTime;
        var gcs = new GcWindow();
        for (var i = 0; i < order.Count; i++)
        {
            var due = TimeSpan.FromSeconds(i / o.ChangesPerSecond);
            if (due > started.Elapsed) Thread.Sleep(due - started.Elapsed);
            var pool = world.Shape.Pool(order[i]);
            var target = 1 + rng.Next(world.Shape.Regions.Length - 1); // every pool forges in region 0: move it elsewhere
            recorder.ChangeSent(pool, world.Shape.Cluster(order[i], target));
            world.Specs.Tell(new SimSpecs.Prefer(pool, target));
        }
        var done = Poll.Until(() => recorder.PendingChanges == 0, TimeSpan.FromMinutes(2));
        var changes = new Window(before, c.Snapshot(), started.Elapsed, Process.GetCurrentProcess().TotalProcessorTime - cpu0);
        var (revoke, forging) = recorder.Latencies();
        Console.WriteLine($"spec changes: {o.Changes} at {o.ChangesPerSecond}/s; completed {forging.Count}{(done ? "" : $" (TIMED OUT with {recorder.PendingChanges} pending)")}");
        Console.WriteLine($"  change → revoke at the holder's agent (the decision made and delivered): {ScaleReport.Percentiles(revoke)}");
        var (toMailbox, inArbiter, toAgent) = recorder.Stages();
        Console.WriteLine($"    stages: change → the arbiter's mailbox {ScaleReport.Percentiles(toMailbox)}; through the arbiter (mailbox wait + handling) " +
                          $"{ScaleReport.Percentiles(inArbiter)}; on to the holder's agent {ScaleReport.Percentiles(toAgent)}");
        Console.WriteLine($"    GC during the changes: {gcs.Describe()}");
        Console.WriteLine($"  change → the new forger's first majority-accepted answer (handover done): {ScaleReport.Percentiles(forging)}");
        Console.WriteLine($"  Decide inside the arbiter: {ScaleReport.Percentiles(world.DecisionMs.Take())}; quorum writes: {ScaleReport.Percentiles(world.WriteMs.Take())}");
        changes.Print("during the spec changes", world.Grants.Regions.Length);
        var failedOver = LoseRegion(world);
        // last: the full collection stops every actor long enough (seconds, at 6,000 agents) for holders to miss renewals
        var heap = ManagedHeap();
        Console.WriteLine($"memory (whole process: the coordinator's actors and {world.Shape.Agents} simulated agents with their AgentConnections and " +
                          $"NodeEntities; after the region loss, so one region's agents are gone): managed heap after a full GC {heap:0.0} MiB " +
                          $"(before the ActorSystem {heapBefore:0.0} MiB), GC committed {GC.GetGCMemoryInfo().TotalCommittedBytes / 1048576.0:0.0} MiB, " +
                          $"RSS {RssMiB():0.0} MiB (before {rssBefore:0.0} MiB)");
        Console.WriteLine($"S1 in the simulation: overlapping forgers {recorder.Overlaps}, forgers that lost their grant {recorder.LostForging}, " +
                          $"refused registrations {recorder.Refused}");
        return done && failedOver && recorder.Overlaps == 0 ? 0 : 1;
    }

    /// <summary>4. The region where most pools forge dies (agents, nodes and its grant replica; the arbiter survives):
    /// every pool forging there fails over at once. Time from the loss to each pool's first forger elsewhere, and the
    /// grant rounds that carried the failover (batched: about one per replica, not one per pool).</summary>
    private static bool LoseRegion(ScaleWorld world)
    {
        Thread.Sleep(TimeSpan.FromSeconds(5)); // the spec changes' last rounds drain
        world.WriteMs.Take();
        var region = world.Shape.Regions[0];
        var before = world.Counters.Snapshot();
        var started = Stopwatch.StartNew();
        var cpu0 = Process.GetCurrentProcess().TotalProcessorTime;
        var lost = world.LoseRegion(region);
        var done = Poll.Until(() => world.Recorder.PendingFailovers == 0, TimeSpan.FromMinutes(2));
        var window = new Window(before, world.Counters.Snapshot(), started.Elapsed, Process.GetCurrentProcess().TotalProcessorTime - cpu0);
        Console.WriteLine($"region {region} lost (its agents, nodes and grant replica stopped): {lost.Count} pools forged there; " +
                          $"forging again elsewhere {lost.Count - world.Recorder.PendingFailovers}{(done ? "" : $" (TIMED OUT with {world.Recorder.PendingFailovers} pending)")}");
        Console.WriteLine($"  loss → the pool's first forger elsewhere (majority-accepted answer): {ScaleReport.Percentiles(world.Recorder.FailoverMs())}");
        Console.WriteLine($"  grant rounds {window.After.GrantRounds - window.Before.GrantRounds} carrying {window.After.GrantsProposed - window.Before.GrantsProposed} grants " +
                          $"(all replicas); quorum writes: {ScaleReport.Percentiles(world.WriteMs.Take())}");
        window.Print("during the failover", world.Grants.Regions.Length);
        return done;
    }

    private static double ManagedHeap() => GC.GetTotalMemory(forceFullCollection: true) / 1048576.0;

    private static double RssMiB() => long.Parse(File.ReadLines("/proc/self/status").First(l => l.StartsWith("VmRSS:", StringComparison.Ordinal))
        .Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) / 1024.0;
}

public static class ScaleReport
{
    public static string Percentiles(List<double> ms)
    {
        if (ms.Count == 0) return "no samples";
        ms.Sort();
        double P(double q) => ms[Math.Min(ms.Count - 1, (int)Math.Ceiling(q * ms.Count) - 1)];
        return $"p50 {P(0.50):0.###} ms, p99 {P(0.99):0.###} ms, max {ms[^1]:0.###} ms (n = {ms.Count})";
    }
}
