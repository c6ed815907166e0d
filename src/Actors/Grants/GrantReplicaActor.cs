using System.Collections.Immutable;
using Akka.Actor;
using Akka.Event;

namespace Forge.Grants;

/// <summary>
/// The grant replica of one region: exactly one per configured region, on the region's pinned coordinator (ordinal 0
/// with a persistent volume), never moved by downing. Thin: <see cref="ReplicaCore"/> decides; this actor reads the
/// clock, writes the state file before answering (run it on a pinned dispatcher: the fsync blocks), and runs the
/// state transfer when it starts without state. A failed write throws: the actor restarts from disk and the answer is
/// never sent.
/// </summary>
public sealed class GrantReplicaActor : ReceiveActor, IWithTimers
{
    public const string Name = "grant-replica";

    private sealed record RetryTransfer
    {
        public static readonly RetryTransfer Instance = new();
    }

    private readonly GrantSettings _settings;
    private readonly string _region;
    private readonly IReplicaStore _store;
    private readonly ReplicaDirectory _replicas;
    private readonly IMonotonicClock _clock;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private ReplicaState _state = ReplicaState.Fresh;
    private long _transferNonce;
    private ImmutableDictionary<string, ReplicaStateTransferReply> _transfers = ImmutableDictionary<string, ReplicaStateTransferReply>.Empty;

    public ITimerScheduler Timers { get; set; } = null!;

    public static Props Props(GrantSettings settings, string region, IReplicaStore store, ReplicaDirectory replicas, IMonotonicClock clock) =>
        Akka.Actor.Props.Create(() => new GrantReplicaActor(settings, region, store, replicas, clock));

    public GrantReplicaActor(GrantSettings settings, string region, IReplicaStore store, ReplicaDirectory replicas, IMonotonicClock clock)
    {
        if (!settings.IsConfiguredRegion(region))
            throw new ArgumentException($"region '{region}' is not in forge.grants.regions ({string.Join(", ", settings.Regions)})");
        (_settings, _region, _store, _replicas, _clock) = (settings, region, store, replicas, clock);

        Receive<ReplicaAcceptGrant>(m => Answer(ReplicaCore.AcceptGrant(_state, m, _region, _clock.Now, _settings.Timing)));
        Receive<ReplicaAcceptGrantBatch>(m =>
        {
            var step = ReplicaCore.AcceptGrants(_state, m.Grants, _region, _clock.Now, _settings.Timing);
            Answer(new ReplicaCore.Step<ReplicaGrantAnswerBatch>(step.State, new(_region, step.Answer), step.Changed));
        });
        Receive<ReplicaRenewalBatch>(m =>
        {
            var step = ReplicaCore.Renew(_state, m.Entries, _clock.Now, _settings.Timing);
            Answer(new ReplicaCore.Step<ReplicaRenewalBatchAnswer>(step.State, new(m.RoundId, _region, step.Answer), step.Changed));
        });
        Receive<ReplicaReleaseNotice>(m => Answer(ReplicaCore.Release(_state, m, _region)));
        Receive<ReplicaStatusQuery>(q => Sender.Tell(ReplicaCore.Status(_state, q, _region, _clock.Now, _settings.Timing)));
        Receive<ReplicaQuietQuery>(q => Sender.Tell(ReplicaCore.QuietTerms(_state, q, _region, _clock.Now, _settings.Timing)));
        Receive<ReplicaStateTransferRequest>(q => Sender.Tell(ReplicaCore.Snapshot(_state, _region, q.Nonce, _clock.Now, _settings.Timing)));
        Receive<ReplicaStateTransferReply>(OnTransferReply);
        Receive<RetryTransfer>(_ => RequestTransfer());
    }

    protected override void PreStart()
    {
        var loaded = _store.Load(_clock.Now);
        if (loaded is not null)
        {
            _state = loaded;
            _log.Info("grant replica {0}: loaded state of {1} pools", _region, _state.Pools.Count);
            return;
        }
        _log.Warning("grant replica {0}: no state on disk; recovering from every other replica before voting", _region);
        _state = ReplicaState.Fresh;
        RequestTransfer();
    }

    private void Answer<T>(ReplicaCore.Step<T> step)
    {
        if (step.Persist) _store.SaveChanges(step.State, step.Changed, _clock.Now); // durable before the answer leaves
        _state = step.State;
        Sender.Tell(step.Answer);
    }

    private IEnumerable<string> Others => _settings.Regions.Where(r => r != _region);

    private void RequestTransfer()
    {
        if (!_state.Recovering) return;
        _transferNonce++;
        _transfers = _transfers.Clear();
        foreach (var region in Others)
            _replicas(region).Tell(new ReplicaStateTransferRequest(_region, _transferNonce), Self);
        if (!Others.Any()) CompleteRecovery();
        else Timers.StartSingleTimer(RetryTransfer.Instance, RetryTransfer.Instance, _settings.RoundTimeout);
    }

    private void OnTransferReply(ReplicaStateTransferReply r)
    {
        if (!_state.Recovering || r.Nonce != _transferNonce || !Others.Contains(r.Region)) return;
        _transfers = _transfers.SetItem(r.Region, r);
        if (Others.All(_transfers.ContainsKey)) CompleteRecovery();
    }

    private void CompleteRecovery()
    {
        var now = _clock.Now;
        var recovered = ReplicaCore.Recover(_transfers.Values.ToList(), now, _settings.Timing, _settings.MaxTtl);
        _store.Save(recovered, now);
        _state = recovered;
        Timers.Cancel(RetryTransfer.Instance);
        _log.Warning("grant replica {0}: recovered {1} pools from {2}; voting again", _region, recovered.Pools.Count, string.Join(", ", _transfers.Keys));
    }
}
