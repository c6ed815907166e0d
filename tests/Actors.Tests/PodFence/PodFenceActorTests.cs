using Akka.Actor;
using Akka.TestKit;
using Akka.TestKit.Xunit2;
using Forge.Grants;
using Forge.PodFence;
using Xunit;
using static Forge.Tests.PodFence.PodFenceWorld;

namespace Forge.Tests.PodFence;

/// <summary>The fence actor between a fake local replica (answering every quiet query with the same terms) and a fake
/// pod API: each outcome, logged and published; each term fenced once however many polls report it.</summary>
public sealed class PodFenceActorTests : TestKit
{
    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(50);
    private readonly FakePodFenceApi _api = new();
    private readonly TestProbe _completed;

    public PodFenceActorTests()
    {
        _completed = CreateTestProbe();
        Sys.EventStream.Subscribe(_completed, typeof(PodFenceCompleted));
    }

    /// <summary>A replica answering every <see cref="ReplicaQuietQuery"/> with <paramref name="answer"/>; counts queries.</summary>
    private TestProbe Replica(ReplicaQuietTerms answer)
    {
        var replica = CreateTestProbe();
        replica.SetAutoPilot(new DelegateAutoPilot((sender, message) =>
        {
            if (message is ReplicaQuietQuery q)
            {
                Assert.Equal(0, q.TtlFraction); // every pool's current term
                sender.Tell(answer with { CorrelationId = q.CorrelationId });
            }
            return AutoPilot.KeepRunning;
        }));
        return replica;
    }

    private void Start(TestProbe replica, TimeSpan? confirmWithin = null) =>
        Sys.ActorOf(PodFenceActor.Props(replica.Ref, _api, Own, Settings(confirmWithin ?? TimeSpan.FromSeconds(3), Poll), StopwatchClock.Instance));

    private PodFenceCompleted Completed() => _completed.ExpectMsg<PodFenceCompleted>(TimeSpan.FromSeconds(10));

    [Theory]
    [InlineData(FakePodBehaviour.Dies, PodFenceOutcome.Confirmed)]
    [InlineData(FakePodBehaviour.Stays, PodFenceOutcome.Unconfirmed)]
    [InlineData(FakePodBehaviour.ReplacedBeforeDelete, PodFenceOutcome.Conflict)]
    [InlineData(FakePodBehaviour.ApiDown, PodFenceOutcome.Failed)]
    public void Deletes_the_quiet_holders_pod_with_grace_and_uid_and_reports_the_outcome(FakePodBehaviour behaviour, PodFenceOutcome expected)
    {
        _api.Add("cardano-bp-0", "uid-0", behaviour);
        var level = expected is PodFenceOutcome.Unconfirmed or PodFenceOutcome.Failed ? "Error" : "Info";
        var filter = level == "Error" ? EventFilter.Error(contains: "fence of pod cardano-bp-0") : EventFilter.Info(contains: "fence of pod cardano-bp-0");
        filter.ExpectOne(TimeSpan.FromSeconds(10), () =>
        {
            EventFilter.Warning(contains: "fencing pod cardano-bp-0: holder of term").ExpectOne(() =>
                Start(Replica(Answer(Quiet("p1", 7, Own, "cardano-bp-0"))), TimeSpan.FromMilliseconds(1500)));
            var c = Completed();
            Assert.Equal((Own, "cardano-bp-0", expected), (c.Holder.Cluster, c.Holder.Pod, c.Outcome));
        });
        if (behaviour != FakePodBehaviour.ApiDown)
            Assert.Equal([("cardano-bp-0", "uid-0", TimeSpan.FromSeconds(1))], _api.Deletes.ToArray());
        else
            Assert.Empty(_api.Deletes);
    }

    [Fact]
    public void A_pod_that_no_longer_exists_is_gone_without_a_delete()
    {
        Start(Replica(Answer(Quiet("p1", 7, Own, "cardano-bp-0"))));
        Assert.Equal(PodFenceOutcome.Gone, Completed().Outcome);
        Assert.Empty(_api.Deletes);
    }

    [Fact]
    public void A_current_holder_of_its_own_cluster_has_its_pod_read_once_ahead_of_any_fence()
    {
        _api.Add("cardano-bp-0", "uid-0", FakePodBehaviour.Dies);
        _api.Add("cardano-bp-1", "uid-1", FakePodBehaviour.Dies);
        var replica = Replica(Answer(Quiet("p1", 7, Own, "cardano-bp-0", quietSeconds: 0.2), Quiet("p2", 3, Other, "cardano-bp-1", quietSeconds: 0.2)));
        EventFilter.Info(contains: "pod fence: read pod cardano-bp-0 of a current holder ahead of any fence").ExpectOne(TimeSpan.FromSeconds(10),
            () => Start(replica));
        for (var i = 0; i < 10; i++) replica.ExpectMsg<ReplicaQuietQuery>(TimeSpan.FromSeconds(5));
        Assert.Equal(["cardano-bp-0"], _api.Gets.ToArray()); // once, however many polls; another cluster's pod never
        Assert.Empty(_api.Deletes);
    }

    [Fact]
    public void A_read_ahead_that_fails_is_loud_and_not_repeated_at_every_poll()
    {
        _api.Add("cardano-bp-0", "uid-0", FakePodBehaviour.ApiDown);
        var replica = Replica(Answer(Quiet("p1", 7, Own, "cardano-bp-0", quietSeconds: 0.2)));
        EventFilter.Warning(contains: "pod fence: could not read pod cardano-bp-0 of a current holder").ExpectOne(TimeSpan.FromSeconds(10),
            () => Start(replica));
        for (var i = 0; i < 10; i++) replica.ExpectMsg<ReplicaQuietQuery>(TimeSpan.FromSeconds(5));
        Assert.Equal(["cardano-bp-0"], _api.Gets.ToArray());
    }

    [Fact]
    public void Each_term_is_fenced_once_however_many_polls_report_it_and_other_clusters_never()
    {
        _api.Add("cardano-bp-0", "uid-0", FakePodBehaviour.Dies);
        _api.Add("cardano-bp-1", "uid-1", FakePodBehaviour.Dies);
        var replica = Replica(Answer(Quiet("p1", 7, Own, "cardano-bp-0"), Quiet("p2", 3, Other, "cardano-bp-1")));
        Start(replica);
        Assert.Equal(PodFenceOutcome.Confirmed, Completed().Outcome);
        // the StatefulSet recreates the pod; the old term stays quiet for many more polls
        _api.Add("cardano-bp-0", "uid-0b", FakePodBehaviour.Dies);
        for (var i = 0; i < 10; i++) replica.ExpectMsg<ReplicaQuietQuery>(TimeSpan.FromSeconds(5));
        _completed.ExpectNoMsg(TimeSpan.FromMilliseconds(200));
        Assert.Equal(["uid-0"], _api.Deletes.Select(d => d.Uid).ToArray());
    }
}
