using Forge.NodeAgent.Fence;
using Forge.NodeAgent.Node;
using Forge.NodeAgent.Core;
using Forge.Protocol;
using Forge.Transport;

namespace Forge.NodeAgent.Runtime;

/// <summary>The loop's producers: each turns one source (grant link, fence, node metrics, Secret) into events.</summary>
internal sealed partial class AgentLoop
{
    private async Task PumpGrantsAsync(CancellationToken ct)
    {
        try
        {
            await foreach (var e in _grants.Events.ReadAllAsync(ct))
            {
                Post(e switch
                {
                    LinkEvent.Up up => new AgentEvent.LinkUp(up.Endpoint.ToString()),
                    LinkEvent.Down down => new AgentEvent.LinkDown($"{down.Endpoint}: {down.Reason}"),
                    LinkEvent.Received r => new AgentEvent.Received(r.Message),
                    _ => AgentEvent.TheTick,
                });
            }
        }
        catch (OperationCanceledException)
        {
            // stopping
        }
    }

    private async Task WatchFenceAsync(CancellationToken ct)
    {
        try
        {
            await foreach (var o in _fence.WatchAsync(ct)) Post(new AgentEvent.FenceSeen(o));
        }
        catch (OperationCanceledException)
        {
            // stopping
        }
    }

    /// <summary>STATUS on a fixed period: both the fence watchdog's heartbeat and a full snapshot.</summary>
    private async Task PollFenceAsync(CancellationToken ct)
    {
        using var timer = new PeriodicTimer(_settings.Timings.FencePollInterval);
        try
        {
            do
            {
                if (await _fence.StatusAsync(ct) is { } o) Post(new AgentEvent.FenceSeen(o));
            } while (await timer.WaitForNextTickAsync(ct));
        }
        catch (OperationCanceledException)
        {
            // stopping
        }
    }

    /// <summary>DEADLINE and DISABLE in the order decided; a refusal comes back as an event.</summary>
    private async Task FenceCommandWorkerAsync(CancellationToken ct)
    {
        try
        {
            await foreach (var command in _fenceCommands.Reader.ReadAllAsync(ct))
            {
                var (id, answer) = command switch
                {
                    AgentEffect.FenceDeadline d => (d.RequestId, await _fence.SetDeadlineAsync(d.DeadlineNs, d.RequestId, ct)),
                    AgentEffect.FenceDisable d => (d.RequestId, await _fence.DisableAsync(d.RequestId, ct)),
                    _ => ("", new FenceAnswer(true, "")),
                };
                if (answer.Ok) Post(new AgentEvent.FenceAlive());
                else Post(new AgentEvent.FenceCommandFailed(id, answer.Detail));
            }
        }
        catch (OperationCanceledException)
        {
            // stopping
        }
    }

    /// <summary>Node health from its metrics endpoint, logged as "node health check" (the guide greps for it).</summary>
    private async Task WatchNodeAsync(CancellationToken ct)
    {
        using var timer = new PeriodicTimer(_settings.Timings.StatusInterval);
        var lastLogged = "";
        var lastLoggedAt = 0L;
        try
        {
            do
            {
                var n = await _node.ReadAsync(ct);
                _nodeSeen = n;
                _metrics.KesRemaining(n.KesPeriodsRemaining);
                var synced = SyncDefinition.IsSynced(n.TipSlot, n.CurrentSlot, _settings.SyncMaxLagSlots);
                var summary = $"{n.Alive}/{synced}";
                // every change, and at least every 10 s
                if (summary != lastLogged || Environment.TickCount64 - lastLoggedAt > 10_000)
                {
                    (lastLogged, lastLoggedAt) = (summary, Environment.TickCount64);
                    _log.Write(n.Alive && synced ? "info" : "warn", "node health check",
                        ("alive", n.Alive), ("synced", synced), ("tip", n.TipSlot), ("slot", n.CurrentSlot),
                        ("kesPeriodsRemaining", n.KesPeriodsRemaining), ("forgingMetric", n.ForgingMetric));
                }
            } while (await timer.WaitForNextTickAsync(ct));
        }
        catch (OperationCanceledException)
        {
            // stopping
        }
    }

    /// <summary>Secrets change in place (rotation, a deleted key, a bad defaultMode): look again every 30 s.</summary>
    private async Task WatchCredentialsAsync(CancellationToken ct)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(30));
        try
        {
            while (await timer.WaitForNextTickAsync(ct))
            {
                var (report, changed) = _credentials.Refresh();
                _metrics.CredentialOperation("inspect", report.Ok);
                if (changed) Post(new AgentEvent.CredentialsChecked(report.Problem, report.Fingerprint?.ToString() ?? "-"));
            }
        }
        catch (OperationCanceledException)
        {
            // stopping
        }
    }
}
