using System.Collections.Immutable;
using Akka.Actor;
using Akka.Cluster;
using Akka.Event;
using AkkaCluster = Akka.Cluster.Cluster;

namespace Forge.Cluster;

/// <summary>Ask the watchdog; answered with <see cref="LivenessWatchdogStatus"/> (the <c>/alive</c> check).</summary>
public sealed class GetLivenessWatchdogStatus
{
    public static readonly GetLivenessWatchdogStatus Instance = new();
    private GetLivenessWatchdogStatus() { }
}

/// <param name="Kind">The singleton rule's verdict.</param>
/// <param name="Fired">The watchdog has asked for a restart (either rule): this process is going away.</param>
public sealed record LivenessWatchdogStatus(WatchdogVerdictKind Kind, ImmutableArray<string> Missing, string Reason, bool Fired);

public enum LivenessRule
{
    /// <summary>A singleton that must run on this member did not (<see cref="SingletonWatchdogDecider"/>).</summary>
    SingletonsMissing,
    /// <summary>This member's cluster stayed a converged minority of the regions (<see cref="MinorityClusterDecider"/>).</summary>
    MinorityCluster,
}

/// <summary>Published on the local EventStream when a rule starts or stops holding (before any restart): scrapes see
/// the suspicion during its 20–60 s wait, while the restart itself ends the process that would count it.</summary>
public sealed record LivenessWatchdogSuspicion(LivenessRule Rule, bool Suspect, string Reason);

/// <summary>Published on the local EventStream when the watchdog restarts this coordinator (metrics, logs, tests).</summary>
public sealed record LivenessWatchdogFired(LivenessRule Rule, ImmutableArray<string> Missing, string Reason, DateTimeOffset At);

/// <summary>The coordinated-shutdown reason of a watchdog restart; the process exits with the rule's exit code
/// (<see cref="LivenessWatchdogSettings"/>) so the supervisor (Kubernetes, the sandbox) restarts it.</summary>
public sealed class LivenessWatchdogReason(LivenessRule rule, string detail) : CoordinatedShutdown.Reason
{
    public LivenessRule Rule { get; } = rule;
    public string Detail { get; } = detail;
    public override int ExitCode => Rule == LivenessRule.SingletonsMissing
        ? LivenessWatchdogSettings.SingletonsMissingExitCode
        : LivenessWatchdogSettings.MinorityClusterExitCode;
    public override string ToString() => $"{Rule}: {Detail}";
}

/// <summary>
/// Every check interval: resolves each watched singleton's local path, reads the cluster state, and acts on
/// <see cref="SingletonWatchdogDecider"/> and <see cref="MinorityClusterDecider"/>. On a restart verdict it logs an
/// error, publishes <see cref="LivenessWatchdogFired"/>, reports unhealthy, and runs CoordinatedShutdown with
/// <see cref="LivenessWatchdogReason"/>: the member leaves (its singletons start on the next oldest) and the process exits
/// to be restarted. A restart never endangers S1: forging rests on the grant quorum, not on this process.
/// </summary>
public sealed class LivenessWatchdog : ReceiveActor, IWithTimers
{
    private sealed class Tick
    {
        public static readonly Tick Instance = new();
        private Tick() { }
    }

    private readonly LivenessWatchdogSettings _settings;
    private readonly ImmutableArray<WatchedSingleton> _watched;
    private readonly ImmutableArray<string> _regions;
    private readonly AkkaCluster _cluster;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private ImmutableHashSet<string> _resolved = ImmutableHashSet<string>.Empty;
    private ImmutableDictionary<string, TimeSpan> _missingSince = ImmutableDictionary<string, TimeSpan>.Empty;
    private TimeSpan? _minoritySince;
    private LivenessWatchdogStatus _status = new(WatchdogVerdictKind.Healthy, [], "not checked yet", false);
    private ImmutableHashSet<LivenessRule> _suspected = [];

    public ITimerScheduler Timers { get; set; } = null!;

    /// <param name="regions">The configured regions (<c>forge.cluster.regions</c>).</param>
    public static Props Props(LivenessWatchdogSettings settings, ImmutableArray<WatchedSingleton> watched, ImmutableArray<string> regions) =>
        Akka.Actor.Props.Create(() => new LivenessWatchdog(settings, watched, regions)).WithDeploy(Deploy.Local);

    public LivenessWatchdog(LivenessWatchdogSettings settings, ImmutableArray<WatchedSingleton> watched, ImmutableArray<string> regions)
    {
        _settings = settings;
        _watched = watched;
        _regions = regions;
        _cluster = AkkaCluster.Get(Context.System);
        Receive<Tick>(_ => OnTick());
        Receive<ActorIdentity>(id =>
        {
            if (id.MessageId is not string name) return;
            _resolved = id.Subject is null ? _resolved.Remove(name) : _resolved.Add(name);
        });
        Receive<GetLivenessWatchdogStatus>(_ => Sender.Tell(_status));
    }

    protected override void PreStart()
    {
        if (_settings.Enabled) Timers.StartPeriodicTimer("tick", Tick.Instance, _settings.CheckInterval);
        else _status = _status with { Reason = $"disabled ({LivenessWatchdogSettings.Section}.enabled = off)" };
    }

    private void OnTick()
    {
        if (_status.Fired) return;
        var observation = Observe();
        var verdict = SingletonWatchdogDecider.Decide(observation, _watched, _missingSince, _settings.SingletonMissingAfter);
        _missingSince = verdict.MissingSince;
        var minority = MinorityClusterDecider.Decide(observation, _regions, _minoritySince, _settings.MinorityAfter);
        if (minority.MinoritySince is not null && _minoritySince is null)
            _log.Info("Liveness watchdog: {0}; restarting after {1}s if it stays so", minority.Reason, _settings.MinorityAfter.TotalSeconds);
        _minoritySince = minority.MinoritySince;
        Suspect(LivenessRule.SingletonsMissing, verdict.Kind != WatchdogVerdictKind.Healthy, verdict.Reason);
        Suspect(LivenessRule.MinorityCluster, minority.MinoritySince is not null, minority.Reason);

        if (verdict.Kind == WatchdogVerdictKind.Restart)
        {
            Fire(LivenessRule.SingletonsMissing, verdict.Missing, verdict.Reason, verdict.Kind);
            return;
        }
        if (minority.Restart)
        {
            Fire(LivenessRule.MinorityCluster, [], minority.Reason, verdict.Kind);
            return;
        }
        if (verdict.Kind == WatchdogVerdictKind.Waiting && _status.Kind != WatchdogVerdictKind.Waiting)
            _log.Info("Liveness watchdog: {0}; restarting after {1}s if it stays so", verdict.Reason, _settings.SingletonMissingAfter.TotalSeconds);
        _status = new(verdict.Kind, verdict.Missing, verdict.Reason, false);
        foreach (var w in _watched) Context.ActorSelection(w.Path).Tell(new Identify(w.Name), Self);
    }

    private void Suspect(LivenessRule rule, bool suspect, string reason)
    {
        if (suspect == _suspected.Contains(rule)) return;
        _suspected = suspect ? _suspected.Add(rule) : _suspected.Remove(rule);
        Context.System.EventStream.Publish(new LivenessWatchdogSuspicion(rule, suspect, reason));
    }

    private void Fire(LivenessRule rule, ImmutableArray<string> missing, string reason, WatchdogVerdictKind kind)
    {
        var why = new LivenessWatchdogReason(rule, reason);
        _status = new(kind, missing, reason, true);
        _log.Error("Liveness watchdog: restarting this coordinator ({0}, exit code {1}): {2}", rule, why.ExitCode, reason);
        Context.System.EventStream.Publish(new LivenessWatchdogFired(rule, missing, reason, DateTimeOffset.UtcNow));
        CoordinatedShutdown.Get(Context.System).Run(why);
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
