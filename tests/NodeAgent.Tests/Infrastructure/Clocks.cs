using System.Diagnostics;

namespace Forge.NodeAgent.Tests.Infrastructure;

/// <summary>CLOCK_MONOTONIC ns, the clock of the stand-in's forge log (Stopwatch uses it on Linux).</summary>
internal static class Clocks
{
    public static long MonoNs() => (long)(Stopwatch.GetTimestamp() * (1_000_000_000.0 / Stopwatch.Frequency));

    public static double Median(IReadOnlyList<double> values)
    {
        var s = values.Order().ToList();
        return s.Count % 2 == 1 ? s[s.Count / 2] : (s[s.Count / 2 - 1] + s[s.Count / 2]) / 2;
    }
}
