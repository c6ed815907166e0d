using Forge.Fence.Decision;
using Forge.Native;
using Forge.Fence.Node;

namespace Forge.Fence;

/// <summary>The fence's three actions, each bounded in time and verified against the node's own evidence.</summary>
internal sealed partial class FenceLoop
{
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
            // a killed node writes no "off" line: this instant (CLOCK_MONOTONIC, the forge log's clock) ends its forging
            FenceLog.Warn("node killed", ("reason", reason), ("mono", LinuxNative.MonotonicNanoseconds()));
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
}
