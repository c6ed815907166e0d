using System.Text.Json;
using System.Threading.Channels;
using Forge.NodeAgent.Config;
using Forge.NodeAgent.Core;
using Forge.NodeAgent.Credentials;
using Forge.NodeAgent.Fence;
using Forge.NodeAgent.Http;
using Forge.NodeAgent.Logging;
using Forge.NodeAgent.Metrics;
using Forge.Native;
using Forge.NodeAgent.Node;
using Forge.Protocol;
using Forge.Transport;

namespace Forge.NodeAgent.Runtime;

/// <summary>
/// The thin shell around <see cref="AgentDecider"/>: one consumer of one event channel. Producers (grant source, fence
/// watch and poll, ticks, SIGTERM, kill results) only post events; the loop takes "now" (CLOCK_BOOTTIME), decides, then
/// carries the effects out without blocking (fence commands go through one ordered worker).
/// </summary>
internal sealed partial class AgentLoop : IAsyncDisposable
{
    private readonly AgentSettings _settings;
    private readonly AgentRules _rules;
    private readonly IGrantSource _grants;
    private readonly IFence _fence;
    private readonly NodeMetricsReader _node;
    private readonly NodeKiller _killer;
    private readonly CredentialWatch _credentials;
    private readonly AgentMetrics _metrics;
    private readonly JsonLog _log;
    private readonly Channel<AgentEvent> _events = Channel.CreateUnbounded<AgentEvent>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Channel<AgentEffect> _fenceCommands = Channel.CreateUnbounded<AgentEffect>(new UnboundedChannelOptions { SingleReader = true });
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Task> _workers = [];
    private AgentState _state;
    private volatile NodeObservation _nodeSeen = NodeObservation.Down;
    private long _lastIterationMs = Environment.TickCount64;
    private long _statusSequence;
    private long _lastStatusAt = AgentState.Never;
    private NodeStatusReport? _lastReport;
    private long _holdingSince;
    private long _releasingSince;
    private bool _fenceEverAnswered;

    public AgentLoop(AgentSettings settings, AgentRules rules, IGrantSource grants, IFence fence, NodeMetricsReader node,
        NodeKiller killer, AgentMetrics metrics, JsonLog log, CredentialWatch credentials)
    {
        (_settings, _rules, _grants, _fence, _node, _killer, _metrics, _log) = (settings, rules, grants, fence, node, killer, metrics, log);
        _credentials = credentials;
        _state = AgentState.Initial(Now(), credentials.Current.Problem, rules.NewPermission());
    }

    public AgentState State => _state;

    public bool Healthy => Environment.TickCount64 - Interlocked.Read(ref _lastIterationMs) < 5_000;

    public static long Now() => LinuxNative.BoottimeNanoseconds();

    /// <summary>Posts an event from any thread (SIGTERM handler, tests).</summary>
    public void Post(AgentEvent e) => _events.Writer.TryWrite(e);

    public (bool Started, string Json) StartupStatus()
    {
        var s = _state;
        var started = _fenceEverAnswered && s.CredentialProblem is null && s.Refused is null
                      && (s.Registered || _settings.Mode == AgentMode.SingleCluster);
        var json = JsonSerializer.Serialize(new StartupStatusView(started, _settings.Mode.ToString(), _grants.Footing,
            _settings.Node.ToString(), _fenceEverAnswered, s.Registered, s.Refused, s.CredentialProblem ?? "ok",
            s.Phase.ToString(), s.Term.ToString(), s.VerifiedForging, s.LastAlarm), AgentJson.Default.StartupStatusView);
        return (started, json);
    }

    public async Task<int> RunAsync()
    {
        var ct = _stop.Token;
        _grants.Start();
        _workers.Add(Task.Run(() => PumpGrantsAsync(ct), ct));
        _workers.Add(Task.Run(() => WatchFenceAsync(ct), ct));
        _workers.Add(Task.Run(() => PollFenceAsync(ct), ct));
        _workers.Add(Task.Run(() => FenceCommandWorkerAsync(ct), ct));
        _workers.Add(Task.Run(() => WatchNodeAsync(ct), ct));
        _workers.Add(Task.Run(() => WatchCredentialsAsync(ct), ct));
        _log.Info("agent started", ("mode", _settings.Mode.ToString()), ("incarnation", _rules.Incarnation.ToString()),
            ("credentials", _state.CredentialProblem ?? "ok"));

        var tick = _settings.Timings.Tick;
        while (true)
        {
            AgentEvent e;
            using (var wait = new CancellationTokenSource(tick))
            {
                try
                {
                    e = await _events.Reader.ReadAsync(wait.Token);
                }
                catch (OperationCanceledException)
                {
                    e = AgentEvent.TheTick;
                }
            }
            Interlocked.Exchange(ref _lastIterationMs, Environment.TickCount64);
            if (Step(e) is { } exitCode) return exitCode;
        }
    }

    /// <summary>One decision and its effects; returns an exit code when the agent must stop.</summary>
    private int? Step(AgentEvent e)
    {
        if (e is AgentEvent.Received { Message: ClusterInfo info })
        {
            _metrics.ApplyClusterInfo(info);
            return null;
        }
        var now = Now();
        var before = _state;
        var decision = AgentDecider.Decide(before, e, now, _rules);
        _state = decision.State;
        if (e is AgentEvent.FenceSeen or AgentEvent.FenceAlive) _fenceEverAnswered = true;
        if (e is AgentEvent.FenceSeen) _killer.Observe(_state.Fence.NodePid);
        Measure(before, _state, e, now);

        int? exit = null;
        foreach (var effect in decision.Effects)
        {
            switch (effect)
            {
                case AgentEffect.Send send:
                    _grants.Send(send.Message);
                    break;
                case AgentEffect.Reregister:
                    _grants.Reregister();
                    break;
                case AgentEffect.ReportNow:
                    break; // ReportStatus below, after every other effect of the decision

                case AgentEffect.FenceDeadline or AgentEffect.FenceDisable:
                    _fenceCommands.Writer.TryWrite(effect);
                    break;
                case AgentEffect.KillNode kill:
                    _ = Task.Run(async () =>
                    {
                        var (gone, detail) = await _killer.KillAsync(kill.Pid, _stop.Token);
                        Post(new AgentEvent.NodeKillResult(gone, detail));
                    });
                    break;
                case AgentEffect.Log log:
                    _log.Write(log.Level, log.Message, Context(log.Detail));
                    break;
                case AgentEffect.Alarm alarm:
                    _state = _state with { LastAlarm = $"{alarm.Kind}: {alarm.Detail}" };
                    _log.Error("alarm: " + alarm.Kind, Context(alarm.Detail));
                    break;
                case AgentEffect.Exit x:
                    exit ??= x.Code;
                    break;
            }
        }
        ReportStatus(now, force: decision.Effects.Any(fx => fx is AgentEffect.ReportNow));
        return exit;
    }

    private (string, object?)[] Context(string? detail) =>
    [
        ("phase", _state.Phase.ToString()), ("term", _state.Term.ToString()),
        ("forging", _state.VerifiedForging), ("detail", detail),
    ];

    /// <summary>Metrics from state transitions: verified facts only.</summary>
    private void Measure(AgentState before, AgentState after, AgentEvent e, long now)
    {
        if (before.Phase != AgentPhase.Holding && after.Phase == AgentPhase.Holding) _holdingSince = now;
        if (before.Phase != AgentPhase.Releasing && after.Phase == AgentPhase.Releasing) _releasingSince = now;
        if (!before.VerifiedForging && after.VerifiedForging)
        {
            _metrics.EnableTime(TimeSpan.FromTicks((now - _holdingSince) / 100));
            _metrics.CredentialOperation("install", true);
            _log.Info("forging verified on", Context($"{(now - _holdingSince) / 1_000_000.0:F1} ms after the confirmation"));
        }
        if (before.VerifiedForging && !after.VerifiedForging && after.Phase == AgentPhase.Holding)
            _log.Error("forging lost while holding the grant", Context(after.Fence.Error));
        if (before.Phase == AgentPhase.Releasing && after.Phase == AgentPhase.Idle)
        {
            _metrics.DisableTime(TimeSpan.FromTicks((now - _releasingSince) / 100));
            _metrics.CredentialOperation("remove", true);
        }
        _metrics.SetForging(after.VerifiedForging);
        _metrics.SetLeader(after.Phase == AgentPhase.Holding);

        if (e is AgentEvent.Received { Message: Renewed r } && before.Permission.Outstanding.TryGetValue(r.RequestId, out var sentAt))
            _metrics.RenewLatency(PermissionRule.At(now) - sentAt);
        if (e is AgentEvent.FenceSeen && before.Fence.State != after.Fence.State)
        {
            _metrics.Sighup(after.Fence.State == VerifiedForging.Unknown ? "not_verified" : "verified");
            if (after.Fence.State == VerifiedForging.Unknown) _metrics.CredentialOperation("install", false);
        }
        if (before.LastSignal != after.LastSignal && after.LastSignal == SignalOutcome.SendFailed) _metrics.Sighup("send_failed");
    }

    // When the last SIGHUP's outcome was seen: the time the fence's signal outcome or verified state changed after
    // its first answer (what it reported before that, e.g. a predecessor's signal, has no known time).
    private (SignalOutcome, VerifiedForging)? _signalSeen;
    private DateTimeOffset? _signalAt;

    private void ReportStatus(long now, bool force)
    {
        var s = _state;
        var n = _nodeSeen;
        if (_fenceEverAnswered && (s.LastSignal, s.Fence.State) != _signalSeen)
        {
            if (_signalSeen is not null && s.LastSignal != SignalOutcome.None) _signalAt = DateTimeOffset.UtcNow;
            _signalSeen = (s.LastSignal, s.Fence.State);
        }
        var report = new NodeStatusReport(_settings.Node, _rules.Incarnation, 0, n.Alive,
            SyncDefinition.IsSynced(n.TipSlot, n.CurrentSlot, _settings.SyncMaxLagSlots), n.TipSlot, n.CurrentSlot,
            s.VerifiedForging ? VerifiedForging.On : s.Fence.State == VerifiedForging.On ? VerifiedForging.Unknown : VerifiedForging.Off,
            s.LastSignal, n.KesPeriodsRemaining, s.Phase is AgentPhase.Holding ? s.Term : TermId.None, _signalAt);
        var changed = _lastReport is null || _lastReport with { Sequence = 0, TipSlot = 0, CurrentSlot = 0 } != report with { TipSlot = 0, CurrentSlot = 0 };
        if (!force && !changed && now - _lastStatusAt < PermissionRule.Ns(_settings.Timings.StatusInterval)) return;
        _lastReport = report;
        _lastStatusAt = now;
        _grants.Send(report with { Sequence = ++_statusSequence });
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _fenceCommands.Writer.TryComplete();
        try
        {
            await Task.WhenAll(_workers).WaitAsync(TimeSpan.FromSeconds(2));
        }
        catch (Exception e) when (e is TimeoutException or OperationCanceledException)
        {
            // workers blocked on I/O end with the process
        }
        _stop.Dispose();
    }
}
