using System.Runtime.InteropServices;

namespace Forge.Native;

/// <summary>
/// The libc calls .NET does not expose, and the signal numbers, in one place: compiled into the fence, the agent and the
/// fault-injection runner as a linked file (each keeps it internal; none depends on another's assembly).
/// </summary>
internal static partial class LinuxNative
{
    public const int SigHup = 1;
    public const int SigKill = 9;
    public const int SigTerm = 15;
    public const int SigCont = 18;
    public const int SigStop = 19;
    public const int Eperm = 1;
    public const int Esrch = 3;

    private const int ClockMonotonic = 1;
    private const int ClockBoottime = 7;
    private const int PrioProcess = 0;

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

    [LibraryImport("libc", EntryPoint = "setpriority", SetLastError = true)]
    private static partial int SetPriority(int which, int who, int prio);

    [LibraryImport("libc", EntryPoint = "gettid")]
    private static partial int GetTid();

    /// <summary>CLOCK_BOOTTIME in ns: keeps counting across suspend (Stopwatch's CLOCK_MONOTONIC does not). Deadlines
    /// between agent and fence are absolute values of this clock.</summary>
    public static long BoottimeNanoseconds() => Read(ClockBoottime);

    public static long MonotonicNanoseconds() => Read(ClockMonotonic);

    /// <summary>kill(2); returns 0 or the errno.</summary>
    public static int Kill(int pid, int signal) => KillNative(pid, signal) == 0 ? 0 : Marshal.GetLastPInvokeError();

    /// <summary>Raises the calling thread's scheduling priority (nice); returns 0 or the errno (EACCES without CAP_SYS_NICE).</summary>
    public static int RaiseCurrentThreadPriority(int nice) =>
        SetPriority(PrioProcess, GetTid(), nice) == 0 ? 0 : Marshal.GetLastPInvokeError();

    private static long Read(int clock)
    {
        if (ClockGetTime(clock, out var ts) != 0)
            throw new InvalidOperationException($"clock_gettime({clock}) failed: errno {Marshal.GetLastPInvokeError()}");
        return ts.Seconds * 1_000_000_000L + ts.Nanoseconds;
    }
}
