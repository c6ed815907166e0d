using System.Diagnostics;

namespace Forge.Benchmarks.Scale;

/// <summary>Counter deltas and process CPU over one measured window.</summary>
public sealed record Window(ScaleCounters Before, ScaleCounters After, TimeSpan Elapsed, TimeSpan Cpu)
{
    public static Window Measure(ScaleCounters live, TimeSpan length)
    {
        var before = live.Snapshot();
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        var sw = Stopwatch.StartNew();
        Thread.Sleep(length); // the window itself
        return new Window(before, live.Snapshot(), sw.Elapsed, Process.GetCurrentProcess().TotalProcessorTime - cpu);
    }

    private double Rate(Func<ScaleCounters, long> f) => (f(After) - f(Before)) / Elapsed.TotalSeconds;

    public void Print(string label, int replicas)
    {
        Console.WriteLine($"{label} ({Elapsed.TotalSeconds:0} s): agent→coordinator {Rate(c => c.AgentToCoordinator):0} msg/s, " +
                          $"coordinator→agent {Rate(c => c.CoordinatorToAgent):0} msg/s, into the arbiter {Rate(c => c.ArbiterIn):0} msg/s, " +
                          $"out of the arbiter {Rate(c => c.ArbiterOut):0} msg/s, grant requests + renewals {Rate(c => c.Renewals):0}/s, " +
                          $"messages to the {replicas} replicas {Rate(c => c.ReplicaIn):0}/s ({Rate(c => c.ReplicaIn) / replicas:0.0} per replica), " +
                          $"grant rounds {Rate(c => c.GrantRounds):0.0}/s carrying {Rate(c => c.GrantsProposed):0.0} grants/s, " +
                          $"durable quorum writes (fsync) {Rate(c => c.ReplicaWrites):0.0}/s in all; " +
                          $"process CPU {Cpu.TotalSeconds / Elapsed.TotalSeconds * 100:0} % of one core ({Environment.ProcessorCount} cores)");
    }
}
