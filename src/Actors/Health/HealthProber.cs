using System.Collections.Immutable;
using System.Diagnostics;
using Akka.Actor;
using Forge.Decider;

namespace Forge.Health;

/// <summary>Health of one CardanoForgeCluster, sent to the parent (the arbiter) after every probe.</summary>
public sealed record HealthReport(string PoolId, string Cluster, HealthObservation Observation, bool LastProbeHealthy);

/// <summary>
/// Probes one CardanoForgeCluster's <c>spec.healthCheck</c> (HTTP GET, interval, timeout, headers; 2xx = healthy) and
/// counts consecutive failures; the decider compares them with the failureThreshold. One probe at a time: the call in
/// flight is a state, its result comes back through PipeTo, and it is cancelled when the actor stops.
/// </summary>
public sealed class HealthProber : ReceiveActor, IWithTimers
{
    /// <summary>New spec for this cluster (interval, endpoint, headers may change).</summary>
    public sealed record UpdateSpec(HealthCheckSpec Spec);

    private sealed class ProbeNow
    {
        public static readonly ProbeNow Instance = new();
        private ProbeNow() { }
    }

    private sealed record ProbeDone(ProbeResult Result, long Generation, TimeSpan Took);

    private readonly string _poolId;
    private readonly string _cluster;
    private readonly IHealthProbe _probe;
    private readonly HealthSettings _settings;
    private readonly IActorRef _reportTo;
    private HealthCheckSpec _spec;
    private int _failures;
    private long _generation;
    private CancellationTokenSource? _inFlight;

    public ITimerScheduler Timers { get; set; } = null!;

    public static Props Props(string poolId, string cluster, HealthCheckSpec spec, IHealthProbe probe, HealthSettings settings,
        IActorRef? reportTo = null) =>
        Akka.Actor.Props.Create(() => new HealthProber(poolId, cluster, spec, probe, settings, reportTo));

    public HealthProber(string poolId, string cluster, HealthCheckSpec spec, IHealthProbe probe, HealthSettings settings, IActorRef? reportTo)
    {
        _poolId = poolId;
        _cluster = cluster;
        _spec = spec;
        _probe = probe;
        _settings = settings;
        _reportTo = reportTo ?? Context.Parent;
        Idle();
    }

    private TimeSpan Interval => GoDuration.TryParse(_spec.Interval, out var i) ? Max(i, _settings.MinInterval) : _settings.DefaultInterval;
    private TimeSpan Timeout => GoDuration.TryParse(_spec.Timeout, out var t) && t > TimeSpan.Zero ? t : _settings.DefaultTimeout;
    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;

    protected override void PreStart() => Timers.StartSingleTimer("probe", ProbeNow.Instance, TimeSpan.Zero);

    protected override void PostStop() => _inFlight?.Cancel();

    private void Idle()
    {
        Receive<ProbeNow>(_ => StartProbe());
        Receive<UpdateSpec>(OnUpdate);
        Receive<ProbeDone>(_ => { }); // from a probe of an older spec
    }

    private void Probing()
    {
        Receive<ProbeDone>(d => d.Generation == _generation, OnDone);
        Receive<ProbeDone>(_ => { });
        Receive<UpdateSpec>(OnUpdate);
        Receive<ProbeNow>(_ => { }); // one probe at a time
    }

    private void OnUpdate(UpdateSpec u)
    {
        if (u.Spec == _spec) return;
        var endpointChanged = u.Spec.Endpoint != _spec.Endpoint;
        _spec = u.Spec;
        if (endpointChanged) _failures = 0;
        _inFlight?.Cancel();
        _generation++;
        Become(Idle);
        Timers.StartSingleTimer("probe", ProbeNow.Instance, TimeSpan.Zero);
    }

    private void StartProbe()
    {
        if (!Uri.TryCreate(_spec.Endpoint, UriKind.Absolute, out var uri) || (uri.Scheme != "http" && uri.Scheme != "https"))
        {
            _failures++;
            Report(false, $"spec.healthCheck.endpoint '{_spec.Endpoint}' is not an http(s) URL", null);
            Timers.StartSingleTimer("probe", ProbeNow.Instance, Interval);
            return;
        }
        _inFlight?.Dispose();
        _inFlight = new CancellationTokenSource();
        var generation = _generation;
        var started = Stopwatch.GetTimestamp();
        _probe.ProbeAsync(uri, _spec.Headers ?? ImmutableDictionary<string, string>.Empty, Timeout, _inFlight.Token)
            .PipeTo(Self,
                success: r => new ProbeDone(r, generation, Stopwatch.GetElapsedTime(started)),
                failure: e => new ProbeDone(new ProbeResult(false, e.GetBaseException().Message), generation, Stopwatch.GetElapsedTime(started)));
        Become(Probing);
    }

    private void OnDone(ProbeDone d)
    {
        _failures = d.Result.Healthy ? 0 : _failures + 1;
        Report(d.Result.Healthy, d.Result.Message, d.Took);
        Become(Idle);
        Timers.StartSingleTimer("probe", ProbeNow.Instance, Interval);
    }

    private void Report(bool healthy, string message, TimeSpan? took)
    {
        _reportTo.Tell(new HealthReport(_poolId, _cluster,
            new HealthObservation(_failures, DateTimeOffset.UtcNow, healthy ? null : message), healthy));
        Context.System.EventStream.Publish(new HealthProbeCompleted(_poolId, _cluster, healthy, took));
    }
}
