using System.Collections.Immutable;
using Akka.Actor;
using Akka.Cluster;
using Akka.Event;
using AkkaCluster = Akka.Cluster.Cluster;

namespace Forge.Cluster;

/// <summary>Ask the watchdog; answered with <see cref="SingletonWatchdogStatus"/> (the <c>/alive</c> check).</summary>
public sealed class GetSingletonWatchdogStatus
{
    public static readonly GetSingletonWatchdogStatus Instance = new();
    private GetSingletonWatchdogStatus() { }
}

/// <param name="Fired">The watchdog has asked for a restart: this process is going away.</param>
public sealed record SingletonWatchdogStatus(WatchdogVerdictKind Kind, ImmutableArray<string> Missing, string Reason, bool Fired);

/// <summary>Published on the local EventStream when the watchdog restarts this coordinator (metrics, logs, tests).</summary>
public sealed record SingletonWatchdogFired(ImmutableArray<string> Missing, string Reason, DateTimeOffset At);

/// <summary>The coordinated-shutdown reason of a watchdog restart; the process exits with
/// <see cref="SingletonWatchdogSettings.ExitCode"/> so the supervisor (Kubernetes, the sandbox) restarts it.</summary>
public sealed class SingletonsMissingReason(string detail) : CoordinatedShutdown.Reason
{
    public string Detail { get; } = detail;
    public override int ExitCode => SingletonWatchdogSettings.ExitCode;
    public override string ToString() => $"SingletonsMissing: {Detail}";
}

/// <summary>
/// Every check interval: resolves each watched singleton's local path, reads the cluster state, and acts on
/// <see cref="SingletonWatchdogDecider"/>. On <see cref="WatchdogVerdictKind.Restart"/> it logs an error, publishes
/// <see cref="SingletonWatchdogFired"/>, reports unhealthy, and runs CoordinatedShutdown with
/// <see cref="SingletonsMissingReason"/>: the member leaves (the singletons start on the next oldest) and the process
/// exits to be restarted. A restart never endangers S1: forging rests on the grant quorum, not on this process.
/// </summary>
public sealed class SingletonWatchdog : ReceiveActor, IWithTimers
{
    private sealed class Tick
    {
        public static readonly Tick Instance = new();
        private Tick() { }
    }

    private readonly SingletonWatchdogSettings _settings;
    private readonly ImmutableArray<WatchedSingleton> _watched;
    private readonly AkkaCluster _cluster;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private ImmutableHashSet<string> _resolved = ImmutableHashSet<string>.Empty;
    private ImmutableDictionary<string, TimeSpan> _missingSince = ImmutableDictionary<string, TimeSpan>.Empty;
    private SingletonWatchdogStatus _status = new(WatchdogVerdictKind.Healthy, [], "not checked yet", false);

    public ITimerScheduler Timers { get; set; } = null!;

    public static Props Props(SingletonWatchdogSettings settings, ImmutableArray<WatchedSingleton> watched) =>
        Akka.Actor.Props.Create(() => new SingletonWatchdog(settings, watched)).WithDeploy(Deploy.Local);

    public SingletonWatchdog(SingletonWatchdogSettings settings, ImmutableArray<WatchedSingleton> watched)
    {
        _settings = settings;
        _watched = watched;
        _cluster = AkkaCluster.Get(Context.System);
        Receive<Tick>(_ => OnTick());
        Receive<ActorIdentity>(id =>
        {
            if (id.MessageId is not string name) return;
            _resolved = id.Subject is null ? _resolved.Remove(name) : _resolved.Add(name);
        });
        Receive<GetSingletonWatchdogStatus>(_ => Sender.Tell(_status));
    }

    protected override void PreStart()
    {
        if (_settings.Enabled) Timers.StartPeriodicTimer("tick", Tick.Instance, _settings.CheckInterval);
        else _status = _status with { Reason = $"disabled ({SingletonWatchdogSettings.Section}.enabled = off)" };
    }

    private void OnTick()
    {
        if (_status.Fired) return;
        var verdict = SingletonWatchdogDecider.Decide(Observe(), _watched, _missingSince, _settings.MissingAfter);
        _missingSince = verdict.MissingSince;
        if (verdict.Kind == WatchdogVerdictKind.Restart)
        {
            _status = new(verdict.Kind, verdict.Missing, verdict.Reason, true);
            _log.Error("Singleton watchdog: restarting this coordinator (exit code {0}): {1}", SingletonWatchdogSettings.ExitCode, verdict.Reason);
            Context.System.EventStream.Publish(new SingletonWatchdogFired(verdict.Missing, verdict.Reason, DateTimeOffset.UtcNow));
            CoordinatedShutdown.Get(Context.System).Run(new SingletonsMissingReason(verdict.Reason));
            return;
        }
        if (verdict.Kind == WatchdogVerdictKind.Waiting && _status.Kind != WatchdogVerdictKind.Waiting)
            _log.Info("Singleton watchdog: {0}; restarting after {1}s if it stays so", verdict.Reason, _settings.MissingAfter.TotalSeconds);
        _status = new(verdict.Kind, verdict.Missing, verdict.Reason, false);
        foreach (var w in _watched) Context.ActorSelection(w.Path).Tell(new Identify(w.Name), Self);
    }

    private WatchdogObservation Observe()
    {
        var state = _cluster.State;
        var unreachable = state.Unreachable.Select(m => m.UniqueAddress).ToHashSet();
        var byAge = state.Members.OrderBy(m => m, Member.AgeOrdering).ToList();
        var members = byAge.Select((m, i) => new WatchdogMember(m.UniqueAddress.ToString(), m.Status,
            m.Roles.ToImmutableHashSet(StringComparer.Ordinal), i, !unreachable.Contains(m.UniqueAddress))).ToImmutableArray();
        return new WatchdogObservation(_cluster.SelfUniqueAddress.ToString(), members, _resolved, Context.System.Scheduler.MonotonicClock);
    }
}
