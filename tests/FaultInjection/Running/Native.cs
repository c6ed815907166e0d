using System.Diagnostics;
using Forge.Native;

namespace Forge.FaultInjection.Running;

/// <summary>The runner's view of processes: real signals (numbers and kill(2) from the shared <see cref="LinuxNative"/>),
/// the forge logs' clock, and /proc state.</summary>
internal static class Native
{
    public const int SIGKILL = LinuxNative.SigKill;
    public const int SIGTERM = LinuxNative.SigTerm;
    public const int SIGCONT = LinuxNative.SigCont;
    public const int SIGSTOP = LinuxNative.SigStop;

    /// <summary>Sends a real signal; false when the process is gone (a fault on a dead PID is reported, not hidden).</summary>
    public static bool Signal(int pid, int signal) => pid > 0 && LinuxNative.Kill(pid, signal) == 0;

    /// <summary>CLOCK_MONOTONIC in ns: the clock of the forge logs' <c>mono</c> (.NET's Stopwatch reads it on Linux).</summary>
    public static long MonoNow() =>
        Stopwatch.Frequency == 1_000_000_000 ? Stopwatch.GetTimestamp() : (long)(Stopwatch.GetTimestamp() * (1e9 / Stopwatch.Frequency));

    public static bool Alive(int pid) => ProcStat.Alive(pid);

    /// <summary>The state letter of /proc/PID/stat (R, S, T stopped, Z zombie), "" when gone.</summary>
    public static string State(int pid) => ProcStat.Read(pid)?.Field(3) ?? "";

    /// <summary>The process's start time (clock ticks since boot, /proc/PID/stat field 22), "" when gone: with the PID it
    /// names one process, so a signal meant for a process that died meanwhile never reaches a newcomer with its PID.</summary>
    public static string StartTime(int pid) => ProcStat.Read(pid)?.Field(22) ?? "";
}
