using System.Diagnostics;
using Forge.Fence.Control;
using Forge.Fence.Decision;
using Forge.Native;
using Forge.Fence.Node;

namespace Forge.Fence;

/// <summary>
/// The fence's one decision loop, run on a dedicated high-priority thread with a short timed wait (no timers, no thread
/// pool): it watches the node, asks <see cref="FenceDecider"/> what to do with the current inputs and carries that
/// out synchronously, every verification bounded. Inputs (deadline, DISABLE) arrive from the control threads through
/// <see cref="SetDeadline"/> and <see cref="Disable"/>, which only store them and wake the loop.
/// </summary>
internal sealed partial class FenceLoop(
    FenceSettings settings,
    IReadOnlyList<string> nodeCommand,
    CredentialInstaller installer,
    MetricsProbe metrics,
    ChildLauncher launcher,
    Action<string> relayNodeLine,
    Action<string> publishEvent) : IDisposable
{
    private readonly NodeLogWatcher _watcher = new();
    private readonly AutoResetEvent _wake = new(false);
    private readonly object _inputGate = new();
    private long? _deadline;
    private string? _requestId;
    private volatile bool _stopping;

    // owned by the loop thread
    private VerifiedState _state = VerifiedState.Off;
    private NodePhase _phase = NodePhase.Down;
    private Process? _node;
    private long _startCursor;
    private bool _startupFilesPresent;
    private long _startupFilesUntil;
    private long _restartAt;
    private long _restartBackoff = settings.RestartBackoff;
    private long _retryEnableAt;
    private string _lastSignal = "none";
    private string? _lastError;
    private string? _publishedKey;

    private volatile FenceStatus _status = new("off", "down", null, null, null, "none", null);

    /// <summary>Called on the loop thread once per iteration (exec mode: supervise the agent).</summary>
    public Action<long>? OnTick { get; set; }

    public FenceStatus Status => _status;

    /// <summary>exec mode: the agent's PID, for STATUS.</summary>
    public Func<int?>? AgentPid { get; set; }

    public static long Now() => LinuxNative.BoottimeNanoseconds();

    /// <summary>Stores a new deadline (replacing the old one); returns an error token or null.</summary>
    public string? SetDeadline(long deadline, string requestId)
    {
        if (deadline - Now() > settings.MaxDeadlineHorizon) return "deadline-too-far";
        lock (_inputGate)
        {
            _deadline = deadline;
            _requestId = requestId;
        }
        _wake.Set();
        return null;
    }

    /// <summary>
    /// DISABLE moves the deadline to now (never later than it was) rather than forgetting it: a fence that was stalled
    /// past its old deadline must still see how late it is and kill, not start a slow disable (found by FenceModelTests).
    /// </summary>
    public void Disable(string requestId)
    {
        lock (_inputGate)
        {
            _deadline = _deadline is { } d ? Math.Min(d, Now()) : null;
            _requestId = requestId;
        }
        _wake.Set();
    }

    public void RequestStop()
    {
        _stopping = true;
        _wake.Set();
    }

    /// <summary>Runs until <see cref="RequestStop"/>; then disables and stops the node.</summary>
    public void Run()
    {
        var nice = LinuxNative.RaiseCurrentThreadPriority(-10);
        if (nice != 0) FenceLog.Warn("could not raise the fence thread's priority (needs CAP_SYS_NICE)", ("errno", nice));
        while (!_stopping)
        {
            try
            {
                Step();
            }
            catch (Exception e)
            {
                // never let a surprise end the fence (its death kills the node): fail closed and keep going
                Alarm("unexpected error in the fence loop", e.GetType().Name + ": " + e.Message);
                if (_state == VerifiedState.On) SetState(VerifiedState.Unknown);
            }
            _wake.WaitOne(settings.PollMs);
        }
        Shutdown();
    }

    private void Step()
    {
        var now = Now();
        ObserveNode(now);
        OnTick?.Invoke(now);
        if (_phase == NodePhase.Down && _node is null && now >= _restartAt) StartNode(now);

        var (deadline, requestId) = Inputs();
        var action = FenceDecider.Decide(new FenceInputs(now, deadline, _state, _phase,
            settings.EnableBound, settings.LateTolerance, _retryEnableAt));
        switch (action)
        {
            case FenceAction.Enable: Enable(now, requestId); break;
            case FenceAction.Disable: DisableNode(now, deadline is null ? "no-deadline" : "deadline-reached"); break;
            case FenceAction.KillNow: Kill("woke-past-deadline"); break;
        }
        Publish();
    }

    private (long? Deadline, string? RequestId) Inputs()
    {
        lock (_inputGate) return (_deadline, _requestId);
    }

    // ---- node life: the start path ----------------------------------------------------------------------------

    private void StartNode(long now)
    {
        try
        {
            installer.Install(); // startup needs the files even for a non-producing start
        }
        catch (IOException e)
        {
            Alarm("cannot install credentials for node startup", e.Message);
            _restartAt = now + _restartBackoff;
            return;
        }

        _startCursor = _watcher.Cursor;
        try
        {
            _node = launcher.Start(nodeCommand);
        }
        catch (Exception e) when (e is InvalidOperationException or System.ComponentModel.Win32Exception)
        {
            RemoveCredentials();
            Alarm("cannot start the node", e.Message);
            _restartAt = now + _restartBackoff;
            return;
        }
        ChildOutput.Pump(_node, "node", line => { _watcher.OnLine(line); relayNodeLine(line); }, relayNodeLine);
        _phase = NodePhase.Starting;
        _startupFilesPresent = true;
        _startupFilesUntil = now + settings.StartupCredentialTimeout;
        SetState(VerifiedState.Off); // started non-producing (checked when the fence started)
        FenceLog.Info("node started non-producing; credentials present for startup only", ("pid", _node.Id));
    }

    private void ObserveNode(long now)
    {
        if (_node is { HasExited: true } dead)
        {
            FenceLog.Warn("node exited", ("pid", dead.Id), ("code", dead.ExitCode));
            dead.Dispose();
            _node = null;
            _phase = NodePhase.Down;
            RemoveCredentials();
            SetState(VerifiedState.Off); // a dead node forges nothing
            _restartAt = now + _restartBackoff;
            _restartBackoff = Math.Min(_restartBackoff * 2, 30_000_000_000L);
            return;
        }
        if (_phase != NodePhase.Starting) return;

        if (_startupFilesPresent &&
            (_watcher.Find(_startCursor, NodeLogEventKind.CredentialsRead) is not null || now > _startupFilesUntil))
        {
            RemoveCredentials();
            _startupFilesPresent = false;
            FenceLog.Info("startup credentials removed");
        }
        if (_watcher.Find(_startCursor, NodeLogEventKind.KernelUp) is not null)
        {
            if (_startupFilesPresent) RemoveCredentials();
            _startupFilesPresent = false;
            _phase = NodePhase.Up;
            _restartBackoff = settings.RestartBackoff;
            FenceLog.Info("node kernel is up");
        }
    }

    private void RemoveCredentials()
    {
        try
        {
            installer.Remove();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Alarm("cannot remove credentials", e.Message);
        }
    }

    private void Shutdown()
    {
        FenceLog.Info("fence stopping: disabling and stopping the node");
        if (_node is { HasExited: false } node)
        {
            if (_state != VerifiedState.Off) DisableNode(Now(), "fence-stopping");
            if (_node is { HasExited: false }) NodeSignaller.Send(node.Id, LinuxNative.SigTerm);
            if (_node is { HasExited: false } && !node.WaitForExit(TimeSpan.FromSeconds(10)))
                NodeSignaller.Send(node.Id, LinuxNative.SigKill);
        }
        RemoveCredentials();
        SetState(VerifiedState.Off);
        Publish();
    }

    // ---- reporting ----------------------------------------------------------------------------------------------

    private void Alarm(string what, string detail)
    {
        _lastError = $"{what}: {detail}";
        FenceLog.Error(what, ("detail", detail));
    }

    private void SetState(VerifiedState state)
    {
        _state = state;
        Publish();
    }

    private void Publish()
    {
        var (deadline, requestId) = Inputs();
        var state = _state.ToString().ToLowerInvariant();
        _status = new FenceStatus(state, _phase.ToString().ToLowerInvariant(), _node?.Id, deadline, requestId,
            _lastSignal, _lastError, AgentPid?.Invoke());
        var key = state + "/" + requestId;
        if (key == _publishedKey) return;
        _publishedKey = key;
        publishEvent(ControlProtocol.FormatEvent(state, requestId, Now()));
    }

    public void Dispose() => _wake.Dispose();
}
