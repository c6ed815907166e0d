using System.Globalization;

namespace Forge.Native;

/// <summary>
/// One read of /proc/PID/stat, its fields numbered as proc(5) numbers them (1 pid, 2 comm, 3 state, 4 ppid, 22 starttime).
/// Compiled as a linked file into each project that inspects processes (fence, sandbox, fault-injection runner, tests), so
/// the one subtle part lives once: comm may hold spaces and parentheses, so fields are split after the last ')'.
/// </summary>
internal sealed class ProcStat
{
    private readonly string[] _fromState; // field 3 onward

    private ProcStat(string[] fromState) => _fromState = fromState;

    /// <summary>The process's stat now; null when it is gone or unreadable (also when it dies between check and read).</summary>
    public static ProcStat? Read(int pid)
    {
        if (pid <= 0) return null;
        try
        {
            return Parse(File.ReadAllText($"/proc/{pid}/stat"));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>The fields of one stat line; null when it has no "(comm) state" part.</summary>
    public static ProcStat? Parse(string text)
    {
        var close = text.LastIndexOf(')');
        if (close < 0 || close + 2 >= text.Length) return null;
        var rest = text[(close + 2)..].TrimEnd('\n', ' ');
        return rest.Length == 0 ? null : new ProcStat(rest.Split(' '));
    }

    /// <summary>Field <paramref name="number"/> as text; "" when the line is shorter (or the number names pid/comm).</summary>
    public string Field(int number) => number >= 3 && number - 3 < _fromState.Length ? _fromState[number - 3] : "";

    /// <summary>Field <paramref name="number"/> as a number; 0 when it is missing or not a number.</summary>
    public long Number(int number) =>
        long.TryParse(Field(number), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var v) ? v : 0;

    /// <summary>R running, S sleeping, T stopped, Z zombie, X/x dead, ...</summary>
    public char State => Field(3) is [var c, ..] ? c : '?';

    /// <summary>Neither a zombie nor dead.</summary>
    public bool IsLive => State is not ('Z' or 'X' or 'x' or '?');

    public int ParentPid => (int)Number(4);

    /// <summary>Clock ticks after boot when the process started: with the PID, an identity a reused PID does not share.</summary>
    public long StartTime => Number(22);

    /// <summary>True when <paramref name="pid"/> names a process that is neither gone nor a zombie.</summary>
    public static bool Alive(int pid) => Read(pid) is { IsLive: true };
}
