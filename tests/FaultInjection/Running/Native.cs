using System.Diagnostics;
using System.Runtime.InteropServices;

namespace Forge.FaultInjection.Running;

internal static partial class Native
{
    public const int SIGKILL = 9;
    public const int SIGTERM = 15;
    public const int SIGCONT = 18;
    public const int SIGSTOP = 19;

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int KillNative(int pid, int signal);

    /// <summary>Sends a real signal; false when the process is gone (a fault on a dead PID is reported, not hidden).</summary>
    public static bool Signal(int pid, int signal) => pid > 0 && KillNative(pid, signal) == 0;

    /// <summary>CLOCK_MONOTONIC in ns: the clock of the forge logs' <c>mono</c> (.NET's Stopwatch reads it on Linux).</summary>
    public static long MonoNow() =>
        Stopwatch.Frequency == 1_000_000_000 ? Stopwatch.GetTimestamp() : (long)(Stopwatch.GetTimestamp() * (1e9 / Stopwatch.Frequency));

    public static bool Alive(int pid) => pid > 0 && File.Exists($"/proc/{pid}/stat") && !State(pid).StartsWith('Z');

    /// <summary>The state letter of /proc/PID/stat (R, S, T stopped, Z zombie), "" when gone.</summary>
    public static string State(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            return stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[0];
        }
        catch (IOException)
        {
            return "";
        }
    }
}
