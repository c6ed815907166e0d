using System.Diagnostics;
using Forge.Decider;

namespace Forge.Benchmarks;

/// <summary>p50/p99 of single decisions after a spec change, each timed on its own (BenchmarkDotNet reports means and
/// spreads of batches; an operator waits for one decision).</summary>
public static class LatencyHarness
{
    public static void Run(int samples)
    {
        var world = new DeciderWorld(1000);
        for (var i = 0; i < 20_000; i++) Decide(world, i); // JIT tiering
        var ticks = new long[samples];
        for (var i = 0; i < samples; i++)
        {
            var t0 = Stopwatch.GetTimestamp();
            Decide(world, i);
            ticks[i] = Stopwatch.GetTimestamp() - t0;
        }
        Array.Sort(ticks);
        double Us(double q) => ticks[Math.Min(samples - 1, (int)Math.Ceiling(q * samples) - 1)] * 1e6 / Stopwatch.Frequency;
        Console.WriteLine($"decider after a spec change, 1,000 pools x 3 regions x 2 nodes, {samples} decisions: " +
                          $"p50 {Us(0.50):0.0} us, p99 {Us(0.99):0.0} us, max {Us(1.0):0.0} us");
    }

    private static ForgeDecision Decide(DeciderWorld w, int i) =>
        ForgeDecider.Decide(w.States[i % 1000], w.Changed[i % 1000], DeciderWorld.Now, DeciderSettings.Default);
}
