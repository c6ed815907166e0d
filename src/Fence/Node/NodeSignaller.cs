using System.Globalization;
using Forge.Native;

namespace Forge.Fence.Node;

/// <summary>The result of sending one signal. Anything but <see cref="Ok"/> is an alarm, never a success.</summary>
internal readonly record struct SignalOutcome(bool Ok, string Text)
{
    public static readonly SignalOutcome Sent = new(true, "ok");
    public static SignalOutcome Failed(string why) => new(false, "error:" + why);
}

/// <summary>
/// Signals exactly the fence's own node: before every signal it re-checks that the PID is still a live (not zombie)
/// child of this process, so a PID reused after the node died is never hit.
/// </summary>
internal static class NodeSignaller
{
    public static SignalOutcome Send(int pid, int signal)
    {
        if (!IsLiveChildOfThisProcess(pid)) return SignalOutcome.Failed($"pid-{pid}-not-our-live-child");
        var errno = LinuxNative.Kill(pid, signal);
        return errno switch
        {
            0 => SignalOutcome.Sent,
            LinuxNative.Esrch => SignalOutcome.Failed("ESRCH"),
            LinuxNative.Eperm => SignalOutcome.Failed("EPERM"),
            _ => SignalOutcome.Failed("errno-" + errno.ToString(CultureInfo.InvariantCulture)),
        };
    }

    /// <summary>/proc/&lt;pid&gt;/stat: state is not Z/X and the parent is us.</summary>
    public static bool IsLiveChildOfThisProcess(int pid) =>
        ProcStat.Read(pid) is { IsLive: true } stat && stat.ParentPid == Environment.ProcessId;
}
