using System.Collections.Immutable;
using System.Diagnostics;
using Akka.Actor;
using Akka.Cluster.Tools.PublishSubscribe;
using Akka.Event;
using Forge.Decider;
using Forge.Grants;
using Forge.Health;
using Forge.Nodes;
using Forge.Protocol;
using Forge.Specs;

namespace Forge.Arbiter;

/// <summary>
/// The ForgeArbiter: a cluster singleton (one in the world), the normal proposer. Per pool it gathers the replicated
/// specs, the node views (from the node entities) and health (from its health actors), runs the pure
/// <see cref="ForgeDecider"/> on every change and every <see cref="ArbiterSettings.DecideInterval"/>, and carries the
/// result out through the grant module: revoke → verified release → new term with the release (planned handover), or
/// a new term without one (the quorum makes it wait). It publishes each pool's state and the decider's
/// RestoreOverride actions, and answers <see cref="GetPoolState"/> / <see cref="ListPools"/>.
/// A new arbiter (after a move) first listens for <see cref="ArbiterSettings.StartupSettle"/>: the node views carry
/// the terms the agents hold, so it learns the current holder instead of moving forging it never saw.
/// </summary>
public sealed class ForgeArbiter : ReceiveActor, IWithTimers
{
    private sealed class Tick
    {
        public static readonly Tick Instance = new();
        private Tick() { }
    }

    /// <summary>The answers to the probe of a pool's candidates (<see cref="PoolRecord.ProbedAt"/>) had their time.</summary>
    private sealed record ProbeAnswered(ImmutableArray<string> PoolIds);

    /// <summary>The next slice of the periodic sweep (<see cref="PoolSweep"/>).</summary>
    private sealed class SweepSlice
    {
        public static readonly SweepSlice Instance = new();
        private SweepSlice() { }
    }

    private readonly PoolSweep _sweep = new();
    private readonly ArbiterSettings _settings;
    private readonly DeciderSettings _decider;
    private readonly IActorRef _nodes;
    private readonly IActorRef _specs;
    private readonly IActorRef _grants;
    private readonly GrantRebroadcast _rebroadcast = new();
    private readonly IActorRef? _mediator;
    private readonly IHealthProbe _probe;
    private readonly HealthSettings _health;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly TimeSpan _startedAt;
    private ImmutableDictionary<string, PoolRecord> _pools = ImmutableDictionary<string, PoolRecord>.Empty;
    private ImmutableDictionary<string, string> _credentialOwners = ImmutableDictionary<string, string>.Empty;
    /// <summary>Per pool, the state last published and when (monotonic), for <see cref="ArbiterSettings.RepublishAfter"/>.</summary>
    private readonly Dictionary<string, (PoolState State, TimeSpan At)> _published = [];
    /// <summary>Which pool each known node belongs to (a node that changes pool leaves the old one).</summary>
    private readonly Dictionary<NodeId, string> _poolOfNode = [];
    /// <summary>The states the previous arbiter last published, as this host's failover watch received them: answered to
    /// <see cref="GetPoolState"/> while settling. Its own are incomplete then (no decision yet, views still arriving), and
    /// a restarted coordinator's watch bootstraps from that answer; seen in kill-region runs: both surviving watches
    /// held "no other cluster" states from settling arbiters and could not fail over when this one's region died (15.5 s).</summary>
    private ImmutableDictionary<string, PoolState> _inherited = ImmutableDictionary<string, PoolState>.Empty;
    /// <summary>Pools whose candidates were just asked for their views (<see cref="ProbeCandidates"/>): not decided until
    /// the answers had their time.</summary>
    private readonly HashSet<string> _probing = new(StringComparer.Ordinal);
    private long _probeRounds;
    /// <summary>The cluster info each connected node last got (its incarnation and the values sent).</summary>
    private readonly Dictionary<NodeId, (Guid Incarnation, ClusterInfoKey Key)> _infoSent = [];
    private readonly Dictionary<(string Pool, string Cluster), (IActorRef Prober, HealthCheckSpec Spec)> _probers = [];
    /// <summary>Proposals decided while handling the current message: sent together when it is done (one quorum round
    /// for every pool that fails over at once, e.g. when a region is lost).</summary>
    private readonly List<ProposeGrant> _proposals = [];
    /// <summary>When a majority last answered the quiet probe: a holder whose term it did not report quiet is renewing
    /// (<see cref="PoolRecord.IsLive"/>).</summary>
    private TimeSpan? _quorumAnsweredAt;

    /// <summary>When the pending <see cref="FindQuietTerms"/> was sent (null: none pending).</summary>
    private TimeSpan? _quietAskedAt;
    /// <summary>Closed after a quorum round that a majority of regions did not answer (<see cref="QuorumGate"/>).</summary>
    private QuorumGate _gate = QuorumGate.Initial;
    /// <summary>Set after this arbiter's own process stood still (<see cref="ArbiterPause"/>): it listens before deciding.</summary>
    private ArbiterPause _pause;

    public ITimerScheduler Timers { get; set; } = null!;

    /// <param name="nodes">Node shard region (or proxy).</param>
    /// <param name="specs">This coordinator's <see cref="SpecStore"/>.</param>
    /// <param name="grants">The grant port (<see cref="ProposeGrant"/>).</param>
    /// <param name="mediator">DistributedPubSub mediator, or null to publish nothing (tests).</param>
    public static Props Props(ArbiterSettings settings, DeciderSettings decider, IActorRef nodes, IActorRef specs, IActorRef grants,
        IActorRef? mediator, IHealthProbe probe, HealthSettings health) =>
        Akka.Actor.Props.Create(() => new ForgeArbiter(settings, decider, nodes, specs, grants, mediator, probe, health));

    public ForgeArbiter(ArbiterSettings settings, DeciderSettings decider, IActorRef nodes, IActorRef specs, IActorRef grants,
        IActorRef? mediator, IHealthProbe probe, HealthSettings health)
    {
        _settings = settings;
        _decider = decider;
        _nodes = nodes;
        _specs = specs;
        _grants = grants;
        _mediator = mediator;
        _probe = probe;
        _health = health;
        _startedAt = Now;
        _pause = ArbiterPause.Start(_startedAt);

        Receive<PoolSpecs>(OnSpecs);
        Receive<NodeViewChanged>(OnView);
        // A candidate's link answering the probe (ProbeCandidates) where its entity cannot: taken only if newer than the held view.
        Receive<LinkedAgentView>(l =>
        {
            if (!_pools.TryGetValue(l.View.PoolId, out var rec) || rec.IsNewerThanHeld(l.View, Now)) OnView(new NodeViewChanged(l.View));
        });
        Receive<HealthReport>(h => Update(h.PoolId, r => r with { Health = r.Health.SetItem(h.Cluster, h.Observation) }));
        Receive<Released>(OnReleased);
        Receive<HandoverRequest>(OnHandover);
        Receive<GrantProposed>(OnGranted);
        Receive<GrantNotProposed>(OnNotGranted);
        Receive<DeliveryFailed>(f => _log.Warning("relay of {0} to {1} failed: {2}", f.What, f.Node, f.Reason));
        Receive<QuietTerms>(OnQuietTerms);
        Receive<CurrentTerms>(OnCurrentTerms);
        Receive<ProbeAnswered>(p =>
        {
            // Decided in one message, so holders lost together are still proposed in one batch (SendProposals).
            foreach (var id in p.PoolIds)
                if (_probing.Remove(id) && _pools.ContainsKey(id)) Decide(id);
        });
        Receive<Tick>(_ =>
        {
            _pause = _pause.Ticked(Now, _settings, out var paused);
            LogPause(paused);
            foreach (var grant in _rebroadcast.Due(Now)) Publish(GrantTopics.Of(grant.PoolId), new GrantBroadcast(grant));
            if (Settling) _grants.Tell(FindCurrentTerms.Instance); // answered within a quarter round timeout, before deciding
            AskQuietTerms();
            if (_sweep.Start(_pools.Keys)) Self.Tell(SweepSlice.Instance);
            PublishGrantStates();
        });
        Receive<SweepSlice>(_ =>
        {
            var slice = _sweep.NextSlice(() => _pools.Keys, out var more);
            foreach (var id in slice)
                if (_pools.ContainsKey(id)) Decide(id);
            if (more) Self.Tell(SweepSlice.Instance);
        });
        Receive<GetPoolState>(q => Sender.Tell(Settling && _inherited.TryGetValue(q.PoolId, out var last) ? last
            : _pools.TryGetValue(q.PoolId, out var r) ? StateOf(r) : PoolState.Empty(q.PoolId)));
        Receive<WatchedStates>(w => _inherited = w.States);
        Receive<ListPools>(_ => Sender.Tell(new PoolList(_pools.Values.OrderBy(r => r.PoolId, StringComparer.Ordinal)
            .Select(r => new PoolSummary(r.PoolId, r.LastDecision?.Target, r.Grant?.Holder, r.Grant?.Term ?? TermId.None, r.Phase.Name))
            .ToImmutableArray())));
    }

    protected override bool AroundReceive(Receive receive, object message)
    {
        var handled = base.AroundReceive(receive, message);
        SendProposals();
        return handled;
    }

    private void SendProposals()
    {
        if (_proposals.Count == 0) return;
        _grants.Tell(_proposals.Count == 1 ? _proposals[0] : new ProposeGrants([.. _proposals]));
        _proposals.Clear();
    }

    private TimeSpan Now => Context.System.Scheduler.MonotonicClock;
    private bool Settling => Now - _startedAt < _settings.StartupSettle;

    protected override void PreStart()
    {
        _specs.Tell(SubscribeSpecs.Instance);
        Context.ActorSelection("/user/forge-failover-watch").Tell(GetWatchedStates.Instance);
        Timers.StartPeriodicTimer("tick", Tick.Instance, _settings.DecideInterval);
        _log.Info("ForgeArbiter started; listening {0}s before proposing", _settings.StartupSettle.TotalSeconds);
    }

    private void Update(string poolId, Func<PoolRecord, PoolRecord> change, bool decide = true)
    {
        var rec = _pools.GetValueOrDefault(poolId) ?? PoolRecord.Create(poolId);
        _pools = _pools.SetItem(poolId, change(rec));
        if (decide) Decide(poolId);
    }

    private void OnSpecs(PoolSpecs p)
    {
        Update(p.PoolId, r => r with { Specs = p.Clusters });
        SyncProbers(p);
    }

    private void OnView(NodeViewChanged c)
    {
        var v = c.View;
        // Credentials registered under two pools: the first pool seen owns them; nodes of any other pool are refused.
        if (v.Refused is null)
        {
            var hash = v.Credentials.OpcertHash;
            if (_credentialOwners.TryGetValue(hash, out var owner) && owner != v.PoolId)
            {
                var reason = $"credentials (opcert {hash[..Math.Min(12, hash.Length)]}…) are registered under pool '{owner}'; " +
                             $"this node registered them under pool '{v.PoolId}'";
                _log.Error("{0}: {1}", v.Node, reason);
                _nodes.Tell(new RefuseNode(v.Node, v.Incarnation, reason));
                v = v with { Refused = reason };
            }
            else if (owner is null)
            {
                _credentialOwners = _credentialOwners.SetItem(hash, v.PoolId);
            }
        }
        // A node that moved to another pool leaves the old one (an index, not a scan: views arrive thousands a second).
        if (_poolOfNode.TryGetValue(v.Node, out var oldPool) && oldPool != v.PoolId && _pools.TryGetValue(oldPool, out var other))
            _pools = _pools.SetItem(oldPool, other with { Nodes = other.Nodes.Remove(v.Node), NodeHeardAt = other.NodeHeardAt.Remove(v.Node) });
        _poolOfNode[v.Node] = v.PoolId;

        var now = Now;
        var view = v;
        // A refresh that changes nothing the decision or the published state reads (tips, heartbeats) only records that
        // the node was heard; the periodic sweep re-decides every pool anyway.
        var previous = _pools.TryGetValue(v.PoolId, out var known) ? known.Nodes.GetValueOrDefault(v.Node) : null;
        var wasStale = known is null || !known.NodeHeardAt.TryGetValue(v.Node, out var heard) || now - heard >= _settings.ViewStaleAfter;
        var matters = previous is null || wasStale || !SameForDecision(previous, view);
        Update(v.PoolId, r =>
        {
            r = r with { Nodes = r.Nodes.SetItem(view.Node, view), NodeHeardAt = r.NodeHeardAt.SetItem(view.Node, now) };
            // Learn the current term from the agents: after an arbiter move this is how the holder is found.
            if (!view.HeldTerm.IsNone && view.Refused is null) r = r.LearnTerm(view.HeldTerm, view.Node, view.Incarnation);
            return r;
        }, decide: matters);
    }

    /// <summary>Everything of a view that the decider, the planner or subscribers read, except the tip (the sweep
    /// catches tip-driven choices within one decide interval).</summary>
    private static bool SameForDecision(NodeView a, NodeView b) =>
        a.Incarnation == b.Incarnation && a.Forging == b.Forging && a.HeldTerm == b.HeldTerm && a.Connected == b.Connected
        && a.Alive == b.Alive && a.Synced == b.Synced && a.Refused == b.Refused && a.LastSignal == b.LastSignal
        && a.LastSignalAt == b.LastSignalAt && a.Credentials == b.Credentials && a.Region == b.Region
        && a.KesPeriodsRemaining == b.KesPeriodsRemaining && a.CoordinatorId == b.CoordinatorId;

    /// <summary>Once per decide interval, one question to the quorum for every pool: which holders stopped renewing?
    /// (One message per replica, answered within a quarter of the round timeout.) Node views cannot tell: a view is
    /// refreshed by the node's entity, which may live on the far side of a partition, or see a link that is up while the
    /// holder's renewals cannot reach a majority.</summary>
    private void AskQuietTerms()
    {
        var now = Now;
        if (_quietAskedAt is { } at && now - at < _settings.DecideInterval + _settings.DecideInterval) return;
        if (_gate.Open && !_pools.Values.Any(r => r.Grant is not null)) return; // closed: probing is how it opens
        _quietAskedAt = now;
        _grants.Tell(new FindQuietTerms(Rank: 0));
    }

    /// <summary>A holder whose term a majority of replicas report quiet (its quiet bound, half its TTL by default: two
    /// missed renewals) counts as lost at once: the decider moves forging and the planner proposes without a revoke.
    /// The replicas still make the successor wait until TTL + margin after the last renewal they accepted, so this only
    /// brings the proposal forward; it never shortens the old term. A quiet term above the one the arbiter knows (a
    /// fallback coordinator granted it) becomes the current one.</summary>
    private void OnQuietTerms(QuietTerms q)
    {
        _quietAskedAt = null;
        if (q.AnsweredByMajority) _quorumAnsweredAt = Now;
        Gate(q.AnsweredByMajority, $"the last quorum probe was answered by {q.RegionsAnswered} region(s), not a majority");
        var probed = new List<string>();
        var quiet = q.Terms.GroupBy(t => t.PoolId, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.MaxBy(t => t.Term)!, StringComparer.Ordinal);
        foreach (var (poolId, rec) in _pools)
        {
            var t = quiet.GetValueOrDefault(poolId);
            var next = t is null ? rec : rec.LearnTerm(t.Term, t.Holder, t.Incarnation);
            var lost = t is not null && next.Grant is { } g && g.Term == t.Term ? t.Term : TermId.None;
            if (lost == rec.QuietTerm && ReferenceEquals(next, rec)) continue;
            var probedAt = lost.IsNone ? null : next.ProbedAt;
            if (!lost.IsNone && lost != rec.QuietTerm)
            {
                probedAt = ProbeCandidates(next, t!.Holder);
                probed.Add(poolId);
                var why = $"term {t!.Term} {(t.Released ? "released and " : "")}not renewed on a majority [{string.Join(", ", t.Regions)}] " +
                          $"for {t.QuietFor.TotalSeconds:F1}s (TTL {t.Ttl.TotalSeconds:0.#}s): holder lost";
                _log.Warning("{0}: {1}: {2}", poolId, t.Holder, why);
                next = next.AddHistory(new PoolTransition(DateTimeOffset.UtcNow, "holder-lost", t.Holder, null, t.Term, why), _settings.HistorySize);
            }
            _pools = _pools.SetItem(poolId, next with { QuietTerm = lost, ProbedAt = probedAt });
            Decide(poolId);
        }
        if (probed.Count > 0)
            Timers.StartSingleTimer("probe-" + ++_probeRounds, new ProbeAnswered([.. probed]), FailoverPlanner.AnswerWindow);
    }

    /// <summary>Asks every other node of a pool whose holder was just found lost for its view now, at its entity and at its
    /// agent's link (<see cref="AskLinkedAgents"/>); the pool is
    /// decided again once the answers had <see cref="FailoverPlanner.AnswerWindow"/> (their entities answer in
    /// milliseconds; one of a region that died gives none). Costs no failover time: the successor may forge only TTL +
    /// margin after the holder's last renewal, ~3 s after this.</summary>
    private TimeSpan ProbeCandidates(PoolRecord rec, NodeId holder)
    {
        var candidates = rec.Nodes.Keys.Where(n => n != holder).ToImmutableArray();
        foreach (var node in candidates) _nodes.Tell(new GetNodeView(node));
        // Every link of the pool, not only the nodes this arbiter has views of: their entities may be out of reach, and a
        // new arbiter has no view of a node whose shard is still being allocated (seen after three region faults in a
        // row: it granted the cut-off region's nodes three times over, never the healthy region's, 14 s).
        Publish(GrantTopics.Of(rec.PoolId), new AskLinkedAgents(rec.PoolId, []));
        _probing.Add(rec.PoolId);
        return Now;
    }

    /// <summary>While settling: every pool's current term as a majority of replicas report it, so that the first decision
    /// knows the holder even when the holder's view has not arrived (its entity re-created on another coordinator after
    /// the shard coordinator moved with the old arbiter). Not knowing it, the arbiter would propose a new term for a node
    /// the decider picks, the holder itself included, which the quorum makes wait out the holder's term: a TTL's gap.</summary>
    private void OnCurrentTerms(CurrentTerms c)
    {
        if (!Settling) return; // after the settle, views and quiet terms keep the grant current
        foreach (var t in c.Terms)
        {
            if (_pools.TryGetValue(t.PoolId, out var rec)) _pools = _pools.SetItem(t.PoolId, rec.LearnTerm(t.Term, t.Holder, t.Incarnation));
        }
    }

    private void OnReleased(Released rel) => Update(rel.PoolId, r =>
    {
        _log.Info("{0}: {1} released term {2}: {3}", rel.PoolId, rel.Node, rel.Term, rel.Reason);
        var phase = r.Phase is ArbiterPhase.Revoking rv && rv.From.Term == rel.Term ? ArbiterPhase.Idle.Instance : r.Phase;
        return r with { Release = rel, Phase = phase };
    });

    private void OnHandover(HandoverRequest h) => Update(h.PoolId, r =>
    {
        _log.Info("{0}: {1} asks for a handover: {2}", h.PoolId, h.Node, h.Reason);
        // The node is going away: this incarnation is no longer eligible (its later reports do not change that), so
        // the decider moves forging and the planner revokes (planned handover).
        return r with { Draining = r.Draining.Add(h.Incarnation) };
    });

    private void OnGranted(GrantProposed g) => Update(g.PoolId, r =>
    {
        Gate(true, "");
        var grant = g.Grant;
        _log.Info("{0}: term {1} granted to {2} by regions [{3}]: {4}", g.PoolId, grant.Term, grant.Holder,
            string.Join(", ", g.AcceptedByRegions), grant.Reason);
        _nodes.Tell(new DeliverGrant(grant.Holder, grant));
        Publish(GrantTopics.Of(g.PoolId), new GrantBroadcast(grant)); // the entity may be on a lost coordinator
        _rebroadcast.Add(grant, Now); // and the holder's link may be re-linking just now
        var from = r.Grant?.Holder;
        return r.AddHistory(new PoolTransition(DateTimeOffset.UtcNow, "granted", from, grant.Holder, grant.Term, grant.Reason), _settings.HistorySize)
            with
            {
                Grant = new CurrentGrant(grant.Term, grant.Holder, grant.Incarnation),
                HighestTerm = Max(r.HighestTerm, grant.Term),
                Phase = ArbiterPhase.Idle.Instance,
                Release = null,
                ProbedAt = null,
            };
    });

    private void OnNotGranted(GrantNotProposed n) => Update(n.PoolId, r =>
    {
        // A standalone region (single-cluster mode) holds the pool on the quorum: ask again only once it may have lapsed.
        Gate(n.AnsweredByMajority, $"the last proposal ({n.PoolId}) was answered by fewer than a majority of regions");
        var held = n.HeldFor > TimeSpan.Zero;
        if (held) _log.Error("{0}: held off by a standalone region's term {1} for at least {2:F1}s; {3} cannot forge: {4}",
            n.PoolId, n.HeldBy ?? n.HighestSeen, n.HeldFor.TotalSeconds, n.Holder, n.Reason);
        else _log.Warning("{0}: no term for {1}: {2}", n.PoolId, n.Holder, n.Reason);
        return r.AddHistory(new PoolTransition(DateTimeOffset.UtcNow, held ? "held-by-standalone" : "not-granted", r.Grant?.Holder, n.Holder,
                n.HeldBy ?? n.HighestSeen, n.Reason), _settings.HistorySize)
            with
            {
                HighestTerm = Max(r.HighestTerm, n.HighestSeen),
                Phase = ArbiterPhase.Idle.Instance,
                RetryAfter = Now + (held && n.HeldFor > _settings.DecideInterval ? n.HeldFor : _settings.DecideInterval),
            };
    }, decide: false);

    private void LogPause(TimeSpan? pausedFor)
    {
        if (pausedFor is { } p)
            _log.Warning("this arbiter did not run for {0:0.0}s (its process was stopped or starved): every view it holds is that old; " +
                         "listening {1}s before deciding again", p.TotalSeconds, _settings.StartupSettle.TotalSeconds);
    }

    private void Gate(bool answeredByMajority, string what)
    {
        var next = _gate.After(answeredByMajority, what);
        if (next.Open != _gate.Open)
        {
            if (next.Open) _log.Info("a quorum round reached a majority of regions again: proposing again");
            else _log.Warning("{0}: no new proposals until a quorum round reaches a majority of regions", what);
        }
        _gate = next;
    }

    private void Decide(string poolId)
    {
        // While settling, only listen: a decision now could pick a node before the holder's view has arrived.
        if (Settling) return;
        var rec = _pools[poolId];
        var started = Stopwatch.GetTimestamp();
        var now = Now;
        _pause = _pause.Observe(now, _settings, out var paused);
        LogPause(paused);
        if (_pause.Listening(now)) return; // every view went stale while this process stood still: let fresh ones arrive
        if (_probing.Contains(poolId)) return; // ProbeAnswered decides
        var wall = DateTimeOffset.UtcNow;
        var (inputs, setAside) = rec.DecisionInputs(now, _settings, wall, _quorumAnsweredAt);
        var decision = ForgeDecider.Decide(rec.Decider, inputs, new DeciderNow(wall, now), _decider);
        var before = rec.LastDecision;
        rec = rec with { Decider = decision.Next, LastDecision = decision };
        if (before?.Target != decision.Target)
        {
            var why = setAside.IsEmpty ? decision.Transition
                : $"{decision.Transition}; not heard from recently, so not chosen: {string.Join(", ", setAside)}";
            if (!setAside.IsEmpty) _log.Warning("{0}: successor {1}: {2}", poolId, decision.Target?.ToString() ?? "none", why);
            rec = rec.AddHistory(new PoolTransition(wall, "target", before?.Target, decision.Target, rec.Grant?.Term ?? TermId.None, why),
                _settings.HistorySize);
        }

        var step = _gate.Admit(ArbiterPlanner.Next(rec, decision, now, _settings));
        rec = Act(rec, step, now, decision);
        _pools = _pools.SetItem(poolId, rec);
        Context.System.EventStream.Publish(new ArbiterDecisionMeasured(poolId, Stopwatch.GetElapsedTime(started)));

        foreach (var a in decision.Actions.OfType<RestoreOverride>())
            Publish(ArbiterTopics.Decisions, new RestoreOverrideRequested(poolId, a.Cluster, a.ExpiredAt, a.ResetDisabledState, a.Reason));
        PublishState(rec, decision);
    }

    private PoolRecord Act(PoolRecord rec, ArbiterStep step, TimeSpan now, ForgeDecision decision)
    {
        switch (step)
        {
            case ArbiterStep.SendRevoke s:
                var cluster = decision.Cluster(s.From.Holder.Cluster) is { } c ? $"{c.EffectiveState}, {c.Reason}: {c.Message}" : "not in the election";
                _log.Info("{0}: revoking term {1} of {2} (next: {3}): {4}; the holder as seen here: {5}", rec.PoolId, s.From.Term,
                    s.From.Holder, s.Next?.ToString() ?? "none", s.Reason,
                    $"{rec.Describe(s.From.Holder, now, _settings.ViewStaleAfter, _quorumAnsweredAt)}; its cluster: {cluster}");
                _nodes.Tell(new DeliverRevoke(s.From.Holder, new Revoke(rec.PoolId, s.From.Holder, s.From.Incarnation, s.From.Term,
                    Planned: true, s.Reason)));
                return rec.AddHistory(new PoolTransition(DateTimeOffset.UtcNow, "revoke", s.From.Holder, s.Next, s.From.Term, s.Reason), _settings.HistorySize)
                    with { Phase = new ArbiterPhase.Revoking(s.From, s.Next, now) };
            case ArbiterStep.Propose p:
                if (rec.Phase is ArbiterPhase.Revoking timedOut)
                {
                    _log.Warning("{0}: {1} sent no verified release of term {2} within {3}s; proposing without it",
                        rec.PoolId, timedOut.From.Holder, timedOut.From.Term, _settings.RevokeTimeout.TotalSeconds);
                    rec = rec with { RevokeGaveUpFor = timedOut.From.Term };
                }
                _proposals.Add(new ProposeGrant(rec.PoolId, p.Target, p.Incarnation, _settings.GrantTtl, p.Above, p.Release, p.Reason));
                return rec with { Phase = new ArbiterPhase.Proposing(p.Target, p.Incarnation, now) };
            default:
                if (rec.Phase is ArbiterPhase.Revoking or ArbiterPhase.Proposing && step is ArbiterStep.Nothing
                    && rec.Phase switch
                    {
                        ArbiterPhase.Revoking r => now - r.Since >= _settings.RevokeTimeout,
                        ArbiterPhase.Proposing q => now - q.Since >= _settings.ProposeTimeout,
                        _ => false,
                    })
                    return rec with { Phase = ArbiterPhase.Idle.Instance };
                return rec;
        }
    }

    private static PoolState StateOf(PoolRecord r) => PublishedState.Of(r);

    private void PublishState(PoolRecord rec, ForgeDecision decision)
    {
        DeliverClusterInfo(rec, decision);
        // A settling arbiter has not heard every cluster and node yet: its state would replace a complete one in the
        // failover watches, which choose a successor from it if this arbiter is lost too (seen: a region killed 3 s after
        // its arbiter started; the watches found "no other cluster" and waited for the region to come back, 15.7 s).
        if (Settling) return;
        var now = Now;
        if (_published.TryGetValue(rec.PoolId, out var last) && PublishedState.Unchanged(last.State, rec)
            && now - last.At < _settings.RepublishAfter) return;
        var state = StateOf(rec);
        _published[rec.PoolId] = (state, now);
        Publish(ArbiterTopics.PoolState, new PoolStateChanged(state));
    }

    /// <summary>What the agents export as cardano_cluster_* series: sent to each connected node whenever what it last got
    /// differs (a verdict changed, or the node registered, reconnected or restarted since), so a late agent is not left
    /// showing its start-up "unhealthy".</summary>
    private void DeliverClusterInfo(PoolRecord rec, ForgeDecision decision)
    {
        foreach (var v in decision.Clusters)
        {
            var spec = rec.Specs.GetValueOrDefault(v.Name)?.Spec;
            var key = new ClusterInfoKey(spec?.Region ?? "", spec?.Priority ?? 0, v.EffectivePriority ?? 0, v.EffectiveState, v.Healthy);
            foreach (var n in rec.Nodes.Values.Where(n => n.Node.Cluster == v.Name))
            {
                if (!n.Connected)
                {
                    _infoSent.Remove(n.Node);
                    continue;
                }
                if (_infoSent.TryGetValue(n.Node, out var sent) && sent.Incarnation == n.Incarnation && sent.Key == key) continue;
                _infoSent[n.Node] = (n.Incarnation, key);
                _nodes.Tell(new DeliverClusterInfo(n.Node, new ClusterInfo(v.Name, key.Region, key.Priority, key.EffectivePriority,
                    key.EffectiveState, key.Healthy ? ClusterHealth.Healthy : ClusterHealth.Unhealthy,
                    DateTimeOffset.UtcNow.ToUnixTimeMilliseconds())));
            }
        }
    }

    private sealed record ClusterInfoKey(string Region, int Priority, int EffectivePriority, string EffectiveState, bool Healthy);

    private void Publish(string topic, object message) => _mediator?.Tell(new Publish(topic, message));

    private void PublishGrantStates()
    {
        var byState = _pools.Values
            .GroupBy(r => r.Phase is not ArbiterPhase.Idle ? r.Phase.Name : r.Grant is null ? "none" : "granted")
            .ToImmutableDictionary(g => g.Key, g => g.Count());
        Context.System.EventStream.Publish(new ArbiterGrantStates(byState));
    }

    private void SyncProbers(PoolSpecs p)
    {
        foreach (var (name, entry) in p.Clusters)
        {
            var key = (p.PoolId, name);
            var hc = entry.Deleted ? null : entry.Spec?.HealthCheck;
            var wanted = hc is { Enabled: true } && !string.IsNullOrWhiteSpace(hc.Endpoint);
            if (_probers.TryGetValue(key, out var existing))
            {
                if (!wanted)
                {
                    Context.Stop(existing.Prober);
                    _probers.Remove(key);
                    Update(p.PoolId, r => r with { Health = r.Health.Remove(name) }, decide: false);
                }
                else if (existing.Spec != hc)
                {
                    existing.Prober.Tell(new HealthProber.UpdateSpec(hc!));
                    _probers[key] = (existing.Prober, hc!);
                }
            }
            else if (wanted)
            {
                var child = Context.ActorOf(HealthProber.Props(p.PoolId, name, hc!, _probe, _health),
                    "health-" + Uri.EscapeDataString(p.PoolId + "." + name));
                _probers[key] = (child, hc!);
            }
        }
    }

    private static TermId Max(TermId a, TermId b) => a >= b ? a : b;
}
