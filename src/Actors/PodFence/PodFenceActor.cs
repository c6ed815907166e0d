using System.Diagnostics;
using Akka.Actor;
using Akka.Event;
using Forge.Grants;
using Forge.Protocol;

namespace Forge.PodFence;

/// <summary>Published on the EventStream when a fence ends (counted as <c>forge_pod_fence_total</c>).</summary>
public sealed record PodFenceCompleted(NodeId Holder, PodFenceOutcome Outcome);

/// <summary>
/// Next to the region's grant replica: every poll-interval asks the local replica for quiet terms (one query for every
/// pool), lets <see cref="PodFenceDecider"/> pick the pods of this cluster to fence and runs each fence
/// (<see cref="PodFenceRun"/>) off the actor, its result piped back. Purely additive to S1: killing a pod never makes a
/// forger; the grant protocol does not wait for it.
/// </summary>
public sealed class PodFenceActor : ReceiveActor, IWithTimers
{
    public const string Name = "pod-fence";

    private sealed class Poll
    {
        public static readonly Poll Instance = new();
    }

    /// <summary>A read of a holder's pod ahead of any fence (warms the client); <paramref name="Error"/> null when it answered.</summary>
    private sealed record PodReadAhead(string Pod, TimeSpan Took, string? Error);

    private sealed record ForgetRead(string Pod);

    /// <summary>After a failed read ahead, the pod is read again no sooner than this (the API may be down for long).</summary>
    private static readonly TimeSpan ReadAgainAfterFailure = TimeSpan.FromSeconds(30);

    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly HashSet<string> _read = []; // pods of this cluster read (or being read) since this actor started
    private readonly CancellationTokenSource _stopping = new();
    private PodFenceMemory _memory = PodFenceMemory.Empty;
    private readonly TimeSpan _pollInterval;
    private long _correlation;

    public ITimerScheduler Timers { get; set; } = null!;

    /// <param name="clock">The replica's clock (the quiet times it reports are on it).</param>
    public static Props Props(IActorRef replica, IPodFenceApi api, string ownCluster, PodFenceSettings settings, IMonotonicClock clock) =>
        Akka.Actor.Props.Create(() => new PodFenceActor(replica, api, ownCluster, settings, clock));

    public PodFenceActor(IActorRef replica, IPodFenceApi api, string ownCluster, PodFenceSettings settings, IMonotonicClock clock)
    {
        // fraction 0: every pool's current term, so a term the arbiter replaces before it is quiet enough can be followed
        Receive<Poll>(_ => replica.Tell(new ReplicaQuietQuery(0, TimeSpan.Zero, ++_correlation)));
        Receive<ReplicaQuietTerms>(answer =>
        {
            var decision = PodFenceDecider.Decide(answer, ownCluster, _memory, settings, clock.Now);
            _memory = decision.Memory;
            foreach (var order in decision.Orders)
            {
                _log.Warning("fencing pod {0}: holder of term {1} of pool {2} quiet for {3:0.0#} s (delete, grace {4} s, uid precondition)",
                    order.Pod, order.Term, order.PoolId, order.QuietFor.TotalSeconds, settings.GracePeriod.TotalSeconds);
                _read.Add(order.Pod); // the fence's own read
                PodFenceRun.FenceAsync(api, order, settings, _stopping.Token).PipeTo(Self);
            }
            foreach (var pod in PodFenceDecider.OwnHolderPods(answer, ownCluster).Where(_read.Add))
                ReadAheadAsync(api, pod, _stopping.Token).PipeTo(Self);
        });
        Receive<PodReadAhead>(r =>
        {
            if (r.Error is null)
            {
                _log.Info("pod fence: read pod {0} of a current holder ahead of any fence in {1:0.00} s (the client's first calls are the slow ones)",
                    r.Pod, r.Took.TotalSeconds);
                return;
            }
            _log.Warning("pod fence: could not read pod {0} of a current holder ({1}); read again in {2} s", r.Pod, r.Error,
                ReadAgainAfterFailure.TotalSeconds);
            Timers.StartSingleTimer(("read", r.Pod), new ForgetRead(r.Pod), ReadAgainAfterFailure);
        });
        Receive<ForgetRead>(f => _read.Remove(f.Pod));
        Receive<PodFenceResult>(r =>
        {
            var o = r.Order;
            if (r.Outcome is PodFenceOutcome.Unconfirmed or PodFenceOutcome.Failed)
                _log.Error("fence of pod {0} (term {1} of pool {2}) {3} after {4:0.0} s: {5}", o.Pod, o.Term, o.PoolId,
                    Label(r.Outcome), r.Took.TotalSeconds, r.Detail);
            else
                _log.Info("fence of pod {0} (term {1} of pool {2}) {3} after {4:0.0} s: {5}", o.Pod, o.Term, o.PoolId,
                    Label(r.Outcome), r.Took.TotalSeconds, r.Detail);
            Context.System.EventStream.Publish(new PodFenceCompleted(o.Holder, r.Outcome));
        });
        _pollInterval = settings.PollInterval;
    }

    protected override void PreStart() => Timers.StartPeriodicTimer(Poll.Instance, Poll.Instance, _pollInterval);

    private static async Task<PodReadAhead> ReadAheadAsync(IPodFenceApi api, string pod, CancellationToken ct)
    {
        var watch = Stopwatch.StartNew();
        try
        {
            await api.GetAsync(pod, ct);
            return new(pod, watch.Elapsed, null);
        }
        catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            return new(pod, watch.Elapsed, $"{e.GetType().Name}: {e.Message}");
        }
    }

    /// <summary>The outcome as the metric's label.</summary>
    public static string Label(PodFenceOutcome outcome) => outcome.ToString().ToLowerInvariant();

    protected override void PostStop()
    {
        _stopping.Cancel();
        _stopping.Dispose();
    }
}
