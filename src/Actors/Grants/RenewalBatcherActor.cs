using System.Collections.Immutable;
using Akka.Actor;
using Forge.Protocol;

namespace Forge.Grants;

/// <summary>
/// Runs on every coordinator. Agent links hand it <see cref="GrantRequest"/> and <see cref="Renew"/> (answered with
/// <see cref="Renewed"/> / <see cref="RenewRefused"/> to the sender, per request id) and <see cref="Released"/>
/// (forwarded to every replica). Requests are collected for one batch interval and sent as one round straight to the
/// replicas (not through the singleton or Sharding), so a thousand forgers renewing each second cost about
/// 1 / batch-interval rounds per second. A request joins only a round sent after it arrived. Thin:
/// <see cref="RenewalRound"/> counts.
/// </summary>
public sealed class RenewalBatcherActor : ReceiveActor, IWithTimers
{
    private sealed record SendRound
    {
        public static readonly SendRound Instance = new();
    }

    private sealed record RoundTimeout(long RoundId);

    private readonly GrantSettings _settings;
    private readonly ReplicaDirectory _replicas;
    private readonly Dictionary<long, RenewalRound> _rounds = [];
    private readonly Dictionary<string, (TermId Term, NodeId Node, Guid Incarnation, TimeSpan Ttl)> _knownTerms = new(StringComparer.Ordinal);
    private ImmutableArray<PendingRenewal>.Builder _pending = ImmutableArray.CreateBuilder<PendingRenewal>();
    private long _roundId;
    private long _correlation;

    public ITimerScheduler Timers { get; set; } = null!;

    /// <summary>Rounds sent so far (exposed for tests and metrics).</summary>
    public sealed record GetRoundCount
    {
        public static readonly GetRoundCount Instance = new();
    }

    public static Props Props(GrantSettings settings, ReplicaDirectory replicas) =>
        Akka.Actor.Props.Create(() => new RenewalBatcherActor(settings, replicas));

    public RenewalBatcherActor(GrantSettings settings, ReplicaDirectory replicas)
    {
        (_settings, _replicas) = (settings, replicas);
        // round ids unique across restarts of this actor, so a late answer to an old round never matches a new one
        _roundId = DateTime.UtcNow.Ticks;

        Receive<GrantRequest>(r => Enqueue(new PendingRenewal(Sender, r.PoolId, r.Node, r.Incarnation, r.Term, r.RequestId)));
        Receive<Renew>(r => Enqueue(new PendingRenewal(Sender, r.PoolId, r.Node, r.Incarnation, r.Term, r.RequestId)));
        Receive<Released>(r =>
        {
            var notice = new ReplicaReleaseNotice(r.PoolId, new TermRelease(r.Term, r.Node, r.Incarnation), ++_correlation);
            foreach (var region in _settings.Regions) _replicas(region).Tell(notice, Self);
        });
        Receive<ReplicaReleaseAck>(_ => { });
        Receive<SendRound>(_ => Send());
        Receive<ReplicaRenewalBatchAnswer>(OnAnswer);
        Receive<RoundTimeout>(t =>
        {
            if (!_rounds.Remove(t.RoundId, out var round)) return;
            foreach (var (i, answer) in round.TimeOut()) Reply(round, i, answer);
        });
        Receive<GetRoundCount>(_ => Sender.Tell(_roundId));
    }

    private void Enqueue(PendingRenewal r)
    {
        _pending.Add(r);
        if (!Timers.IsTimerActive(SendRound.Instance))
            Timers.StartSingleTimer(SendRound.Instance, SendRound.Instance, _settings.BatchInterval);
    }

    private void Send()
    {
        if (_pending.Count == 0) return;
        var round = RenewalRound.Start(++_roundId, _pending.ToImmutable(), _settings);
        _pending = ImmutableArray.CreateBuilder<PendingRenewal>();
        _rounds[round.RoundId] = round;
        var batch = round.ToBatch(r => _knownTerms.TryGetValue(r.PoolId, out var k) && k.Term == r.Term && k.Node == r.Node && k.Incarnation == r.Incarnation ? k.Ttl : null);
        foreach (var region in _settings.Regions) _replicas(region).Tell(batch, Self);
        Timers.StartSingleTimer(new RoundTimeout(round.RoundId), new RoundTimeout(round.RoundId), _settings.RoundTimeout);
    }

    private void OnAnswer(ReplicaRenewalBatchAnswer a)
    {
        if (!_rounds.TryGetValue(a.RoundId, out var round)) return;
        foreach (var (r, ttl) in RenewalRound.LearnedTerms(round, a))
            if (!_knownTerms.TryGetValue(r.PoolId, out var k) || r.Term >= k.Term) _knownTerms[r.PoolId] = (r.Term, r.Node, r.Incarnation, ttl);
        var (next, resolved) = round.Add(a);
        foreach (var (i, answer) in resolved) Reply(next, i, answer);
        if (next.IsComplete)
        {
            _rounds.Remove(a.RoundId);
            Timers.Cancel(new RoundTimeout(a.RoundId));
        }
        else _rounds[a.RoundId] = next;
    }

    private void Reply(RenewalRound round, int index, IAgentProtocolMessage answer)
    {
        if (round.Requests[index].ReplyTo is IActorRef to) to.Tell(answer, Self);
    }
}
