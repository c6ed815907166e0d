using System.Collections.Immutable;
using Akka.Actor;
using Forge.Protocol;

namespace Forge.Grants;

/// <summary>
/// Proposes terms to every configured replica and reports the outcome to the asker. Runs on every coordinator: the
/// ForgeArbiter singleton uses it normally; the failover watch uses <see cref="ProposeFailover"/> when the singleton
/// is gone. Terms are (highest counter seen + 1, this proposer's id), so two proposers never mint equal terms.
/// It also answers <see cref="FindQuietTerms"/> (which holders stopped renewing on a majority) for both.
/// Proposals are batched: those that arrive together (a <see cref="ProposeTerms"/>, or several already queued in the
/// mailbox) go to each replica as one <see cref="ReplicaAcceptGrantBatch"/>, one round and one durable write per replica
/// instead of one per pool; a lone proposal goes as a plain <see cref="ReplicaAcceptGrant"/>. Each pool keeps its own
/// term, tally, timeout and outcome.
/// Thin: <see cref="ProposalTally"/>, <see cref="FailoverCheck"/> and <see cref="QuietTally"/> decide.
/// </summary>
public sealed class GrantProposerActor : ReceiveActor, IWithTimers
{
    private sealed record RoundTimeout(long CorrelationId);

    private sealed record SendProposals
    {
        public static readonly SendProposals Instance = new();
    }

    private sealed record Proposal(ProposalTally Tally, IActorRef ReplyTo);

    private sealed record FailoverQuery(ProposeFailover Request, IActorRef ReplyTo, ImmutableDictionary<string, ReplicaStatus> Statuses);

    /// <param name="Current">A <see cref="FindCurrentTerms"/> (every term), not a <see cref="FindQuietTerms"/>.</param>
    private sealed record QuietQuery(IActorRef ReplyTo, ImmutableDictionary<string, ReplicaQuietTerms> Answers, bool Current = false);

    private readonly GrantSettings _settings;
    private readonly string _proposerId;
    private readonly ReplicaDirectory _replicas;
    private readonly Dictionary<long, Proposal> _proposals = [];
    private readonly Dictionary<long, FailoverQuery> _failovers = [];
    private readonly Dictionary<long, QuietQuery> _quiet = [];
    private readonly Dictionary<string, TermId> _highestSeen = new(StringComparer.Ordinal);
    private readonly Dictionary<string, (TermGranted Grant, TimeSpan At)> _lastGranted = new(StringComparer.Ordinal);
    private readonly List<ReplicaAcceptGrant> _unsent = [];
    private TimeSpan? _lastSentAt;
    private long _correlation;

    public ITimerScheduler Timers { get; set; } = null!;

    public static Props Props(GrantSettings settings, string proposerId, ReplicaDirectory replicas) =>
        Akka.Actor.Props.Create(() => new GrantProposerActor(settings, proposerId, replicas));

    public GrantProposerActor(GrantSettings settings, string proposerId, ReplicaDirectory replicas)
    {
        if (string.IsNullOrWhiteSpace(proposerId)) throw new ArgumentException("a proposer needs a unique, stable id", nameof(proposerId));
        (_settings, _proposerId, _replicas) = (settings, proposerId, replicas);

        Receive<ProposeTerm>(p => Propose(p, Sender));
        Receive<ProposeTerms>(b =>
        {
            foreach (var p in b.Proposals) Propose(p, Sender);
        });
        Receive<SendProposals>(_ => SendUnsent());
        Receive<ProposeFailover>(StartFailoverQuery);
        Receive<FindQuietTerms>(f => StartQuietQuery(QuietTally.Query(_settings, Math.Max(0, f.Rank), ++_correlation), current: false));
        Receive<FindCurrentTerms>(_ => StartQuietQuery(new ReplicaQuietQuery(0, TimeSpan.Zero, ++_correlation), current: true));
        Receive<ReplicaQuietTerms>(OnQuietTerms);
        Receive<ForwardRelease>(f => Broadcast(new ReplicaReleaseNotice(f.PoolId, f.Release, ++_correlation)));
        Receive<ReplicaGrantAnswer>(OnGrantAnswer);
        Receive<ReplicaGrantAnswerBatch>(b =>
        {
            foreach (var a in b.Answers) OnGrantAnswer(a);
        });
        Receive<ReplicaStatus>(OnStatus);
        Receive<ReplicaReleaseAck>(_ => { });
        Receive<RoundTimeout>(OnTimeout);
    }

    private void Propose(ProposeTerm p, IActorRef replyTo)
    {
        try
        {
            _settings.ValidateTermTtl(p.Ttl);
        }
        catch (ArgumentOutOfRangeException e)
        {
            replyTo.Tell(new TermNotGranted(p.PoolId, TermId.None, p.Above, e.Message));
            return;
        }
        var now = Context.System.Scheduler.MonotonicClock;
        if (RecentGrant.Reuse(_lastGranted.TryGetValue(p.PoolId, out var granted) ? granted : null, _highestSeen.GetValueOrDefault(p.PoolId), p, now)
            is { } standing)
        {
            replyTo.Tell(standing);
            return;
        }
        var above = Max(p.Above, _highestSeen.GetValueOrDefault(p.PoolId));
        var term = TermId.Next(above, _proposerId);
        Learn(p.PoolId, term);
        var id = ++_correlation;
        _proposals[id] = new Proposal(ProposalTally.Start(p, term, _settings), replyTo);
        if (_unsent.Count == 0)
        {
            // A lone proposal goes once those queued behind it are in (the mailbox is FIFO: a self-message comes after
            // them); within a batch interval of the last round (a burst: pools failing over one node disconnect at a
            // time) the proposals of that interval wait for one round together.
            if (_lastSentAt is { } last && now - last < _settings.BatchInterval)
                Timers.StartSingleTimer(SendProposals.Instance, SendProposals.Instance, _settings.BatchInterval);
            else Self.Tell(SendProposals.Instance);
        }
        _unsent.Add(new ReplicaAcceptGrant(p.PoolId, term, p.Holder, p.Incarnation, p.Ttl, p.PreviousRelease, id, p.IsStandalone));
        Timers.StartSingleTimer(id, new RoundTimeout(id), _settings.RoundTimeout);
    }

    private void SendUnsent()
    {
        if (_unsent.Count == 0) return;
        Broadcast(_unsent.Count == 1 ? _unsent[0] : new ReplicaAcceptGrantBatch([.. _unsent]));
        _unsent.Clear();
        _lastSentAt = Context.System.Scheduler.MonotonicClock;
    }

    private void OnGrantAnswer(ReplicaGrantAnswer a)
    {
        Learn(a.PoolId, a.Highest);
        if (!_proposals.TryGetValue(a.CorrelationId, out var p)) return;
        var tally = p.Tally.Add(a);
        if (tally.Outcome(_settings.Timing) is { } outcome) Finish(a.CorrelationId, p.ReplyTo, outcome);
        else _proposals[a.CorrelationId] = p with { Tally = tally };
    }

    private void StartFailoverQuery(ProposeFailover f)
    {
        var id = ++_correlation;
        _failovers[id] = new FailoverQuery(f, Sender, ImmutableDictionary<string, ReplicaStatus>.Empty.WithComparers(StringComparer.Ordinal));
        Broadcast(new ReplicaStatusQuery(f.PoolId, id));
        Timers.StartSingleTimer(id, new RoundTimeout(id), _settings.RoundTimeout);
    }

    private void OnStatus(ReplicaStatus s)
    {
        if (s.Current is { } c) Learn(s.PoolId, c.Term);
        if (!_failovers.TryGetValue(s.CorrelationId, out var q) || s.PoolId != q.Request.PoolId) return;
        q = q with { Statuses = q.Statuses.SetItem(s.Region, s) };
        _failovers[s.CorrelationId] = q;
        switch (FailoverCheck.Decide(q.Request.StalledTerm, q.Statuses, _settings))
        {
            case FailoverCheck.Verdict.Stalled:
                Forget(s.CorrelationId);
                var r = q.Request;
                Propose(new ProposeTerm(r.PoolId, r.Candidate, r.CandidateIncarnation, r.Ttl, r.StalledTerm, null, r.Reason), q.ReplyTo);
                break;
            case FailoverCheck.Verdict.NotStalled:
                Forget(s.CorrelationId);
                q.ReplyTo.Tell(new FailoverNotNeeded(q.Request.PoolId, q.Request.StalledTerm, "the term is alive or replaced on a majority"));
                break;
        }
    }

    /// <summary>Every replica reports its terms quiet beyond the query's bound (a bound of zero: all of them).</summary>
    private void StartQuietQuery(ReplicaQuietQuery query, bool current)
    {
        var id = query.CorrelationId;
        _quiet[id] = new QuietQuery(Sender, ImmutableDictionary<string, ReplicaQuietTerms>.Empty.WithComparers(StringComparer.Ordinal), current);
        Broadcast(query);
        Timers.StartSingleTimer(id, new RoundTimeout(id), _settings.RoundTimeout / 4);
    }

    private void OnQuietTerms(ReplicaQuietTerms a)
    {
        if (!_quiet.TryGetValue(a.CorrelationId, out var q) || !_settings.IsConfiguredRegion(a.Region)) return;
        q = q with { Answers = q.Answers.SetItem(a.Region, a) };
        if (!QuietTally.Settled(q.Answers.Values, _settings, olderVotes: !q.Current)) // not waiting for a cut-off region that cannot change it
        {
            _quiet[a.CorrelationId] = q;
            return;
        }
        Forget(a.CorrelationId);
        AnswerQuiet(q);
    }

    private void AnswerQuiet(QuietQuery q)
    {
        foreach (var t in q.Answers.Values.SelectMany(a => a.Terms)) Learn(t.PoolId, t.Term);
        var majority = q.Answers.Count >= _settings.Majority;
        q.ReplyTo.Tell(q.Current ? new CurrentTerms(QuietTally.Current(q.Answers.Values, _settings), majority)
            : new QuietTerms(QuietTally.Majority(q.Answers.Values, _settings), q.Answers.Count, majority));
    }

    private void OnTimeout(RoundTimeout t)
    {
        if (_quiet.Remove(t.CorrelationId, out var quiet)) AnswerQuiet(quiet);
        if (_proposals.Remove(t.CorrelationId, out var p)) p.ReplyTo.Tell(p.Tally.TimedOut());
        if (_failovers.Remove(t.CorrelationId, out var q))
            q.ReplyTo.Tell(new FailoverNotNeeded(q.Request.PoolId, q.Request.StalledTerm, "no majority of replicas answered the status query"));
    }

    private void Finish(long id, IActorRef replyTo, IGrantProposalOutcome outcome)
    {
        Forget(id);
        if (outcome is TermGranted g) _lastGranted[g.PoolId] = (g, Context.System.Scheduler.MonotonicClock);
        replyTo.Tell(outcome);
    }

    private void Forget(long id)
    {
        _proposals.Remove(id);
        _failovers.Remove(id);
        _quiet.Remove(id);
        Timers.Cancel(id);
    }

    private void Broadcast(object message)
    {
        foreach (var region in _settings.Regions) _replicas(region).Tell(message, Self);
    }

    private void Learn(string pool, TermId term)
    {
        if (term > _highestSeen.GetValueOrDefault(pool)) _highestSeen[pool] = term;
    }

    private static TermId Max(TermId a, TermId b) => a > b ? a : b;
}
