using BenchmarkDotNet.Attributes;
using Forge.Decider;

namespace Forge.Benchmarks;

/// <summary>One decision after a spec change (the latency an operator sees, before I/O), and a sweep of all 1,000 pools
/// (an arbiter that takes over re-decides every pool).</summary>
[MemoryDiagnoser]
public class DeciderBenchmarks
{
    private DeciderWorld _world = null!;
    private int _next;

    [GlobalSetup]
    public void Setup() => _world = new DeciderWorld(1000);

    [Benchmark(Description = "decide one pool after a spec change (3 regions x 2 nodes)")]
    public ForgeDecision SpecChange()
    {
        var p = _next++ % 1000;
        return ForgeDecider.Decide(_world.States[p], _world.Changed[p], DeciderWorld.Now, DeciderSettings.Default);
    }

    [Benchmark(Description = "decide all 1,000 pools (no change)")]
    public int Sweep()
    {
        var moved = 0;
        for (var p = 0; p < 1000; p++)
        {
            var d = ForgeDecider.Decide(_world.States[p], _world.Inputs[p], DeciderWorld.Now, DeciderSettings.Default);
            if (d.Target != _world.States[p].Holder) moved++;
        }
        return moved;
    }
}
