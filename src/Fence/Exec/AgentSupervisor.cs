using System.Diagnostics;
using Forge.Fence.Node;

namespace Forge.Fence.Exec;

/// <summary>
/// exec mode: the agent is the fence's child. When it dies the fence disables the node at once (a dead agent renews
/// nothing; S3) and starts a new agent after a backoff; the node keeps running, disabled, so no ledger replay.
/// Polled from the fence loop, so it needs no thread of its own beyond the output pumps.
/// </summary>
internal sealed class AgentSupervisor(
    IReadOnlyList<string> command,
    IReadOnlyDictionary<string, string> environment,
    ChildLauncher launcher,
    FenceLoop fence) : IDisposable
{
    private const long Backoff = 1_000_000_000;
    private Process? _agent;
    private long _restartAt;
    private int _restarts;
    private volatile bool _stopped;

    public int? Pid => _agent?.Id;

    public void Poll(long now)
    {
        if (_agent is { HasExited: true } dead)
        {
            FenceLog.Warn("agent exited: disabling the node, agent restarts after a backoff", ("pid", dead.Id), ("code", dead.ExitCode));
            dead.Dispose();
            _agent = null;
            fence.Disable("agent-exited");
            _restartAt = now + Backoff * Math.Min(1 << Math.Min(_restarts, 5), 30);
            _restarts++;
        }
        if (_agent is null && now >= _restartAt && !_stopped) Start();
    }

    private void Start()
    {
        try
        {
            _agent = launcher.Start(command, environment);
            ChildOutput.Pump(_agent, "agent", Console.Out.WriteLine, Console.Error.WriteLine);
            FenceLog.Info("agent started", ("pid", _agent.Id));
        }
        catch (Exception e) when (e is InvalidOperationException or System.ComponentModel.Win32Exception)
        {
            FenceLog.Error("cannot start the agent", ("detail", e.Message));
            _restartAt = FenceLoop.Now() + Backoff;
        }
    }

    /// <summary>SIGTERM first (a forging agent asks for a planned handover), SIGKILL after five seconds.</summary>
    public void Stop()
    {
        _stopped = true;
        if (_agent is not { HasExited: false } agent) return;
        Native.LinuxNative.Kill(agent.Id, Native.LinuxNative.SigTerm);
        if (!agent.WaitForExit(TimeSpan.FromSeconds(5))) agent.Kill();
    }

    public void Dispose() => _agent?.Dispose();
}
