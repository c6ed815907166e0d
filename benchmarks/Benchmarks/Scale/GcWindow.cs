namespace Forge.Benchmarks.Scale;

/// <summary>Garbage collections over a window of the harness (a pause of the whole process stalls every actor, so it
/// shows in a latency tail): the allocation rate, collections per generation, their total pause, and the pause of the last blocking gen-2
/// collection when it fell in the window.</summary>
public sealed class GcWindow
{
    private readonly int[] _counts = [GC.CollectionCount(0), GC.CollectionCount(1), GC.CollectionCount(2)];
    private readonly TimeSpan _paused = GC.GetTotalPauseDuration();
    private readonly long _lastFull = GC.GetGCMemoryInfo(GCKind.FullBlocking).Index;
    private readonly long _allocated = GC.GetTotalAllocatedBytes();
    private readonly System.Diagnostics.Stopwatch _clock = System.Diagnostics.Stopwatch.StartNew();

    public string Describe()
    {
        var full = GC.GetGCMemoryInfo(GCKind.FullBlocking);
        var lastFull = full.Index > _lastFull ? $", last blocking gen-2 pause {full.PauseDurations[0].TotalMilliseconds:0.#} ms" : "";
        var mibPerSecond = (GC.GetTotalAllocatedBytes() - _allocated) / 1048576.0 / _clock.Elapsed.TotalSeconds;
        return $"allocated {mibPerSecond:0.0} MiB/s; gen0 {GC.CollectionCount(0) - _counts[0]}, gen1 {GC.CollectionCount(1) - _counts[1]}, gen2 {GC.CollectionCount(2) - _counts[2]}; " +
               $"paused {(GC.GetTotalPauseDuration() - _paused).TotalMilliseconds:0} ms in all{lastFull}";
    }
}
