using System.Globalization;

namespace Forge.NodeAgent.Native;

/// <summary>
/// A process as /proc names it: PID plus its start time (field 22 of /proc/PID/stat) and executable. A PID alone can be
/// reused by an unrelated process; (PID, start time) cannot, so it is re-checked before every signal.
/// </summary>
internal sealed record ProcessIdentity(int Pid, long StartTicks, string Executable)
{
    public static ProcessIdentity? Read(int pid, string procRoot = "/proc")
    {
        try
        {
            var stat = File.ReadAllText(Path.Combine(procRoot, pid.ToString(CultureInfo.InvariantCulture), "stat"));
            // comm (field 2) may contain spaces and parentheses: fields after the last ')' are fixed
            var rest = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            var startTicks = long.Parse(rest[19], CultureInfo.InvariantCulture); // field 22 = index 19 after pid, comm
            var exe = ReadExe(pid, procRoot);
            return new ProcessIdentity(pid, startTicks, exe);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException
                                    or ArgumentOutOfRangeException)
        {
            return null;
        }
    }

    /// <summary>The process's executable name (basename of /proc/PID/exe, or its comm when exe is unreadable).</summary>
    private static string ReadExe(int pid, string procRoot)
    {
        var dir = Path.Combine(procRoot, pid.ToString(CultureInfo.InvariantCulture));
        try
        {
            var target = new FileInfo(Path.Combine(dir, "exe")).LinkTarget;
            if (!string.IsNullOrEmpty(target)) return Path.GetFileName(target.Replace(" (deleted)", "", StringComparison.Ordinal));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // another user's process: fall back to comm
        }
        return File.ReadAllText(Path.Combine(dir, "comm")).Trim();
    }

    /// <summary>Whether the same process still runs under this PID.</summary>
    public bool StillRunning(string procRoot = "/proc") => Read(Pid, procRoot) is { } now && now.StartTicks == StartTicks;
}
