using System.Diagnostics;
using Forge.Fence.Control;
using Forge.Fence.Decision;
using Forge.Fence.Native;
using Forge.Fence.Node;

namespace Forge.Fence;

/// <summary>
/// The fence's one decision loop, run on a dedicated high-priority thread with a short timed wait (no timers, no thread
/// pool): it watches the node, asks <see cref="FenceDecider"/> what to do with the current inputs and carries that
/// out synchronously, every verification bounded. Inputs (deadline, DISABLE) arrive from the control threads through
/// <see cref="SetDeadline"/> and <see cref="Disable"/>, which only store them and wake the loop.
/// </summary>
internal sealed class FenceLoop(
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

    // ---- enable / disable / kill --------------------------------------------------------------------------------

    private void Enable(long start, string? requestId)
    {
        FenceLog.Info("enabling", ("request", requestId));
        try
        {
            installer.Install();
        }
        catch (IOException e)
        {
            Alarm("cannot install credentials", e.Message);
            _retryEnableAt = start + settings.EnableRetryBackoff;
            return;
        }

        var cursor = _watcher.Cursor;
        var signal = Signal(LinuxNative.SigHup);
        if (!signal.Ok)
        {
            FailEnable(start, "SIGHUP not delivered: " + signal.Text);
            return;
        }

        var until = start + settings.EnableBound;
        while (true)
        {
            var now = Now();
            var (deadline, _) = Inputs();
            if (deadline is not { } d || now >= d)
            {
                FailEnable(start, "deadline gone during enable");
                return;
            }
            var seen = _watcher.Find(cursor, NodeLogEventKind.ForgingEnabled, NodeLogEventKind.ForgingDisabled,
                NodeLogEventKind.ForgingUpdateError);
            if (seen is { Kind: NodeLogEventKind.ForgingUpdateError or NodeLogEventKind.ForgingDisabled } refused)
            {
                FailEnable(start, $"node answered {refused.Kind}");
                return;
            }
            if (seen is { Kind: NodeLogEventKind.ForgingEnabled } && MetricSays(true))
            {
                SetState(VerifiedState.On);
                FenceLog.Info("forging verified on", ("request", requestId), ("ms", (Now() - start) / 1_000_000.0));
                return;
            }
            if (now >= until || _node is null || _node.HasExited)
            {
                FailEnable(start, "forging on not verified within the enable bound");
                return;
            }
            _wake.WaitOne(settings.PollMs);
        }
    }

    /// <summary>State unknown: the next step disables (remove, SIGHUP, verify) before any retry.</summary>
    private void FailEnable(long start, string why)
    {
        Alarm("enable failed", why);
        _retryEnableAt = start + settings.EnableRetryBackoff;
        SetState(VerifiedState.Unknown);
    }

    private void DisableNode(long start, string reason)
    {
        FenceLog.Info("disabling", ("reason", reason));
        try
        {
            installer.Remove();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Alarm("cannot remove credentials", e.Message);
            Kill("credentials-not-removable");
            return;
        }
        if (_node is null || _node.HasExited)
        {
            SetState(VerifiedState.Off);
            return;
        }

        var cursor = _watcher.Cursor;
        var signal = Signal(LinuxNative.SigHup);
        if (!signal.Ok)
        {
            Kill("sighup-failed");
            return;
        }
        var until = start + settings.DisableVerifyTimeout;
        while (true)
        {
            var seen = _watcher.Find(cursor, NodeLogEventKind.ForgingDisabled, NodeLogEventKind.ForgingEnabled,
                NodeLogEventKind.ForgingUpdateError);
            if (seen is { Kind: NodeLogEventKind.ForgingDisabled } && MetricSays(false))
            {
                SetState(VerifiedState.Off);
                FenceLog.Info("forging verified off", ("reason", reason), ("ms", (Now() - start) / 1_000_000.0));
                return;
            }
            if (seen is { Kind: NodeLogEventKind.ForgingEnabled or NodeLogEventKind.ForgingUpdateError })
            {
                Kill("node-did-not-disable");
                return;
            }
            if (_node.HasExited)
            {
                SetState(VerifiedState.Off);
                return;
            }
            if (Now() >= until)
            {
                Kill("disable-not-verified-in-time");
                return;
            }
            Thread.Sleep(1); // no early wake here: nothing an input could change shortens this wait
        }
    }

    /// <summary>The last resort, and the only way the fence stops a node it cannot disable in time.</summary>
    private void Kill(string reason)
    {
        Alarm("killing the node", reason);
        RemoveCredentials();
        if (_node is null)
        {
            SetState(VerifiedState.Off);
            return;
        }
        Signal(LinuxNative.SigKill);
        if (_node.WaitForExit(TimeSpan.FromTicks(settings.KillReserve / 100)))
        {
            SetState(VerifiedState.Off);
            ObserveNode(Now());
        }
        else
        {
            SetState(VerifiedState.Unknown);
        }
    }

    private SignalOutcome Signal(int signal)
    {
        var outcome = _node is null ? SignalOutcome.Failed("no-node") : NodeSignaller.Send(_node.Id, signal);
        _lastSignal = outcome.Text;
        if (!outcome.Ok) Alarm("signal not delivered", outcome.Text);
        return outcome;
    }

    /// <summary>The node's metric must agree; without a metrics URL the log line alone is the evidence.</summary>
    private bool MetricSays(bool enabled) => !metrics.Configured || metrics.ForgingEnabled() == enabled;

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
