using Forge.Native;

namespace Forge.NodeSide.Tests.Infrastructure;

/// <summary>Maps the forge log's CLOCK_MONOTONIC stamps onto the fence's CLOCK_BOOTTIME deadlines (no suspend during a test,
/// so the two clocks differ by a constant).</summary>
internal static class Clocks
{
    public static long MonoToBoot(long mono)
    {
        var boot = LinuxNative.BoottimeNanoseconds();
        var now = LinuxNative.MonotonicNanoseconds();
        return mono + (boot - now);
    }

    public static double Median(IReadOnlyList<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[sorted.Count / 2 - 1] + sorted[sorted.Count / 2]) / 2;
    }
}
