using System.Runtime.InteropServices;
using System.Text.Json.Nodes;
using Forge.StandIn.Chain;
using Forge.StandIn.Credentials;
using Forge.StandIn.Forging;
using Forge.StandIn.Output;

namespace Forge.StandIn;

/// <summary>
/// The running node: a slot loop on its own thread, SIGHUP handling, the kernel coming up after a delay. State changes go
/// through the pure <see cref="ForgingReconfiguration"/> functions under one lock; this class only does the I/O.
/// </summary>
internal sealed class NodeRuntime
{
    private const string EnablingMessage =
        "Performing block forging reconfiguration: Enabling block forging. To disable it please move/rename/remove " +
        "the credentials files and then re-trigger reconfiguration via SIGHUP signal.";
    private const string DisablingMessage =
        "Performing block forging reconfiguration: Disabling block forging, to enable it please make the credentials " +
        "files available again and then re-trigger reconfiguration via SIGHUP signal.";

    private readonly object _gate = new();
    private readonly object _sighupGate = new();
    private readonly StandInOptions options;
    private readonly NodeLog log;
    private readonly ForgeLog forgeLog;
    private readonly CredentialFiles credentials;
    private readonly SlotClock _clock;
    private readonly LeaderSchedule _schedule;
    private readonly KesPeriods _kes;
    private readonly SyncModel _sync;
    private readonly long _startUnixMs = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
    private NodeState _state;

    /// <param name="startupOpCert">what the startup credential check loaded</param>
    public NodeRuntime(StandInOptions options, NodeLog log, ForgeLog forgeLog, CredentialFiles credentials,
        OperationalCertificate startupOpCert)
    {
        this.options = options;
        this.log = log;
        this.forgeLog = forgeLog;
        this.credentials = credentials;
        _clock = new SlotClock(options.EpochUnixMs, options.SlotMs);
        _schedule = new LeaderSchedule(options.Pool, options.LeaderFraction);
        _kes = new KesPeriods(options.SlotsPerKesPeriod, options.MaxKesEvolutions);
        var startSlot = _clock.SlotAt(_startUnixMs);
        _sync = new SyncModel(startSlot, options.StartBehindSlots, options.CatchupRate, options.SyncLagSlots);
        _state = new NodeState { OpCert = startupOpCert, TipSlot = CurrentTip(startSlot) };
    }

    /// <summary>Runs until SIGTERM/SIGINT.</summary>
    public int Run()
    {
        using var stop = new ManualResetEventSlim();
        using var metrics = new MetricsServer(options.MetricsPort, RenderMetrics);
        Native.SignalDisposition.RestoreSighup(); // an inherited "ignore" (nohup) must not swallow the fence's SIGHUPs
        using var hup = PosixSignalRegistration.Create(PosixSignal.SIGHUP, ctx => { ctx.Cancel = true; OnSighup(); });
        using var term = PosixSignalRegistration.Create(PosixSignal.SIGTERM, ctx => { ctx.Cancel = true; stop.Set(); });
        using var intr = PosixSignalRegistration.Create(PosixSignal.SIGINT, ctx => { ctx.Cancel = true; stop.Set(); });

        log.Info("cardano.node.standin", new JsonObject { ["kind"] = "StandInMetrics", ["port"] = metrics.Port },
            $"metrics on 127.0.0.1:{metrics.Port}");

        var kernelUpAt = _startUnixMs + options.KernelDelayMs;
        while (!stop.IsSet)
        {
            var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
            if (!_state.KernelUp && now >= kernelUpAt) KernelUp();
            OnSlot(_clock.SlotAt(now));

            var nextSlotAt = _clock.SlotStartUnixMs(_clock.SlotAt(now) + 1);
            var wakeAt = _state.KernelUp ? nextSlotAt : Math.Min(nextSlotAt, kernelUpAt);
            stop.Wait(TimeSpan.FromMilliseconds(Math.Max(1, wakeAt - DateTimeOffset.UtcNow.ToUnixTimeMilliseconds())));
        }

        lock (_gate)
        {
            if (_state.Forging) forgeLog.Transition(on: false);
            _state = _state with { Forging = false };
        }
        log.Info(NodeLog.StartupNs, new JsonObject { ["kind"] = "Shutdown" }, "shutting down on a termination signal");
        return 0;
    }

    private void KernelUp()
    {
        lock (_sighupGate)
        {
            lock (_gate)
            {
                var before = _state;
                _state = ForgingReconfiguration.OnKernelUp(_state, options.StartNonProducing, options.ForgingMetricBug);
                RecordTransition(before, _state);
            }
            // the node kernel starts once the ChainDB is open; from here on a SIGHUP can change block forging
            log.Info(NodeLog.ChainDbNs, new JsonObject { ["kind"] = "TraceOpenEvent.OpenedDB", ["tip"] = _state.TipSlot },
                "Opened db with immutable tip and tip; node kernel is up");
            if (options.StartNonProducing)
                log.Info(NodeLog.StartupNs, Update("DisabledBlockForging"), "started as a non-producing node: block forging disabled");
        }
    }

    /// <summary>SIGHUPs are handled one at a time, log lines included; the state lock is held only for the state change
    /// (and the forge log, the ground truth, written first), never while writing to stdout, which a slow reader can block.</summary>
    private void OnSighup()
    {
        lock (_sighupGate)
        {
            LogTopologyReload();
            CredentialCheck? check = null;
            SighupOutcome outcome;
            lock (_gate)
            {
                var before = _state;
                (_state, outcome) = ForgingReconfiguration.OnSighup(_state, () => check = credentials.Check());
                RecordTransition(before, _state);
            }
            switch (outcome)
            {
                case SighupOutcome.TopologyOnly:
                    log.Info(NodeLog.StartupNs, new JsonObject { ["kind"] = "BlockForgingUpdateNotPossible" },
                        "SIGHUP before the node kernel is up: block forging is not reconfigured");
                    break;
                case SighupOutcome.Enabled:
                    log.Info(NodeLog.StartupNs, Update("EnabledBlockForging"), EnablingMessage);
                    break;
                case SighupOutcome.Disabled:
                    log.Info(NodeLog.StartupNs, Update("DisabledBlockForging"), DisablingMessage);
                    break;
                default:
                    var error = check is CredentialCheck.Invalid bad ? $"{bad.Path}: {bad.Reason}" : "unreadable credentials";
                    log.Error(NodeLog.StartupNs, new JsonObject { ["kind"] = "BlockForgingUpdateError", ["error"] = error });
                    break;
            }
        }
    }

    private void LogTopologyReload()
    {
        if (options.TopologyPath is { } path && File.Exists(path))
            log.Info(NodeLog.StartupNs, new JsonObject { ["kind"] = "NetworkConfigUpdate", ["message"] = "network configuration update" });
        else
            log.Error(NodeLog.StartupNs, new JsonObject { ["kind"] = "NetworkConfigUpdateError", ["error"] = $"topology file not found: {options.TopologyPath}" });
    }

    private void OnSlot(long slot)
    {
        var leader = _schedule.IsLeader(slot);
        long blockNo;
        lock (_gate)
        {
            (_state, var forged) = ForgingReconfiguration.OnSlot(_state, slot, leader, CurrentTip(slot));
            if (!forged) return;
            forgeLog.Forged(slot);
            blockNo = _state.TipSlot / 20 + _state.Forged;
        }
        log.Info(NodeLog.ForgeNs, new JsonObject { ["kind"] = "TraceForgedBlock", ["slot"] = slot, ["blockNo"] = blockNo });
    }

    private long CurrentTip(long slot) =>
        _sync.TipAt(slot, (DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() - _startUnixMs) / 1000.0);

    private void RecordTransition(NodeState before, NodeState after)
    {
        if (before.Forging != after.Forging) forgeLog.Transition(after.Forging);
    }

    private string RenderMetrics()
    {
        var slot = _clock.SlotAt(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
        NodeState s;
        lock (_gate) s = _state;
        var tip = Math.Max(s.TipSlot, CurrentTip(slot));
        return MetricsText.Render(s with { TipSlot = tip }, slot, _sync.IsSynced(tip, slot), _kes);
    }

    private static JsonObject Update(string enabled) => new() { ["kind"] = "BlockForgingUpdate", ["enabled"] = enabled };
}
