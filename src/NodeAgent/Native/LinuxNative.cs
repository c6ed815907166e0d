using System.Runtime.InteropServices;

namespace Forge.NodeAgent.Native;

/// <summary>The libc calls .NET does not expose: CLOCK_BOOTTIME and kill(2).</summary>
internal static partial class LinuxNative
{
    public const int SigKill = 9;
    public const int Esrch = 3;
    private const int ClockBoottime = 7;

    [StructLayout(LayoutKind.Sequential)]
    private struct Timespec
    {
        public long Seconds;
        public long Nanoseconds;
    }

    [LibraryImport("libc", EntryPoint = "clock_gettime", SetLastError = true)]
    private static partial int ClockGetTime(int clockId, out Timespec time);

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int KillNative(int pid, int signal);

    /// <summary>CLOCK_BOOTTIME in ns: keeps counting across suspend (Stopwatch's CLOCK_MONOTONIC does not). Deadlines
    /// handed to the fence are absolute values of this clock.</summary>
    public static long BoottimeNanoseconds()
    {
        if (ClockGetTime(ClockBoottime, out var ts) != 0)
            throw new InvalidOperationException($"clock_gettime(CLOCK_BOOTTIME) failed: errno {Marshal.GetLastPInvokeError()}");
        return ts.Seconds * 1_000_000_000L + ts.Nanoseconds;
    }

    /// <summary>kill(2); returns 0 or the errno.</summary>
    public static int Kill(int pid, int signal) => KillNative(pid, signal) == 0 ? 0 : Marshal.GetLastPInvokeError();
}
