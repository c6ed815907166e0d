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

    private readonly ILoggingAdapter _log = Context.GetLogger();
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
                PodFenceRun.FenceAsync(api, order, settings, _stopping.Token).PipeTo(Self);
            }
        });
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

    /// <summary>The outcome as the metric's label.</summary>
    public static string Label(PodFenceOutcome outcome) => outcome.ToString().ToLowerInvariant();

    protected override void PostStop()
    {
        _stopping.Cancel();
        _stopping.Dispose();
    }
}
