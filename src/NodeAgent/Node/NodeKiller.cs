using Forge.Native;
using Forge.NodeAgent.Native;

namespace Forge.NodeAgent.Node;

/// <summary>
/// The agent's last resort when the fence stops answering: SIGKILL the node. Only a process that is still the one the
/// fence reported (same PID and start time, recorded while the fence was healthy) and whose executable is
/// CARDANO_NODE_PROCESS_NAME is signalled, so a reused PID is never hit.
/// </summary>
internal sealed class NodeKiller(string processName, string procRoot = "/proc")
{
    private ProcessIdentity? _known;

    /// <summary>Remembers the node the fence reports (called while the fence answers).</summary>
    public void Observe(int? pid)
    {
        if (pid is not { } p || _known?.Pid == p && _known.StillRunning(procRoot)) return;
        var id = ProcessIdentity.Read(p, procRoot);
        _known = id is not null && id.Executable == processName ? id : null;
    }

    public ProcessIdentity? Known => _known;

    public async Task<(bool Gone, string Detail)> KillAsync(int? pid, CancellationToken ct)
    {
        var target = _known;
        if (target is null || pid is { } p && p != target.Pid)
            return (false, $"no verified node process to kill (fence reported pid {pid?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "-"})");
        var now = ProcessIdentity.Read(target.Pid, procRoot);
        if (now is null) return (true, $"pid {target.Pid} already gone");
        if (now.StartTicks != target.StartTicks || now.Executable != processName)
            return (true, $"pid {target.Pid} now belongs to another process ({now.Executable}); the node is gone");
        var errno = LinuxNative.Kill(target.Pid, LinuxNative.SigKill);
        if (errno == LinuxNative.Esrch) return (true, $"pid {target.Pid} exited before the signal");
        if (errno != 0) return (false, $"kill({target.Pid}, SIGKILL) failed: errno {errno}");
        for (var i = 0; i < 100; i++)
        {
            var seen = ProcessIdentity.Read(target.Pid, procRoot);
            if (seen is null || seen.StartTicks != target.StartTicks || IsZombie(target.Pid)) return (true, $"pid {target.Pid} killed");
            await Task.Delay(10, ct);
        }
        return (false, $"pid {target.Pid} still running 1 s after SIGKILL");
    }

    private bool IsZombie(int pid)
    {
        try
        {
            var stat = File.ReadAllText(Path.Combine(procRoot, pid.ToString(System.Globalization.CultureInfo.InvariantCulture), "stat"));
            return stat[(stat.LastIndexOf(')') + 2)..].StartsWith('Z');
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentOutOfRangeException)
        {
            return false;
        }
    }
}
