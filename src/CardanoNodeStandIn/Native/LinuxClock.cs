using System.Runtime.InteropServices;

namespace Forge.StandIn.Native;

/// <summary>
/// CLOCK_MONOTONIC in nanoseconds, straight from clock_gettime(2), so forge-log lines written by different processes on one
/// machine can be ordered on one clock that wall-clock fault injection cannot move.
/// </summary>
internal static partial class LinuxClock
{
    private const int ClockMonotonic = 1;

    [StructLayout(LayoutKind.Sequential)]
    private struct Timespec
    {
        public long Seconds;
        public long Nanoseconds;
    }

    [LibraryImport("libc", EntryPoint = "clock_gettime", SetLastError = true)]
    private static partial int ClockGetTime(int clockId, out Timespec time);

    public static long MonotonicNanoseconds()
    {
        if (ClockGetTime(ClockMonotonic, out var ts) != 0)
            throw new InvalidOperationException($"clock_gettime(CLOCK_MONOTONIC) failed: errno {Marshal.GetLastPInvokeError()}");
        return ts.Seconds * 1_000_000_000L + ts.Nanoseconds;
    }
}
