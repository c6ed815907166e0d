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

    public static bool Alive(int pid) => pid > 0 && File.Exists($"/proc/{pid}/stat") && !State(pid).StartsWith('Z');

    /// <summary>The state letter of /proc/PID/stat (R, S, T stopped, Z zombie), "" when gone.</summary>
    public static string State(int pid) => StatField(pid, 0);

    /// <summary>The process's start time (clock ticks since boot, /proc/PID/stat field 22), "" when gone: with the PID it
    /// names one process, so a signal meant for a process that died meanwhile never reaches a newcomer with its PID.</summary>
    public static string StartTime(int pid) => StatField(pid, 19);

    /// <summary>Field <paramref name="index"/> counted from the state letter (field 3) of /proc/PID/stat; "" when gone.</summary>
    private static string StatField(int pid, int index)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            return index < fields.Length ? fields[index] : "";
        }
        catch (IOException)
        {
            return "";
        }
    }
}
