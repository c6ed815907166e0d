using System.Collections.Immutable;
using Akka.Actor;
using Akka.Cluster;
using Akka.Cluster.Tools.PublishSubscribe;
using Akka.Event;
using Forge.Cluster;
using Forge.Grants;
using Forge.Nodes;
using Forge.Protocol;

namespace Forge.Arbiter;

/// <summary>
/// Runs on every coordinator: the fallback proposer when the arbiter singleton does not act (its host dead or cut off
/// with the forger's region, moving, or settling). Every decide interval it asks the grant module which terms a majority
/// of replicas report quiet for as long as the arbiter waits (rank 0's bound); once such a term has been quiet this
/// coordinator's rank longer (<see cref="FailoverPlanner.Rank"/>, <see cref="FailoverPlanner.WaitBeforeProposing"/>: a
/// timer, not the next poll) it proposes the best other node of the arbiter's last published state (DistributedPubSub topic
/// forge-pool-state) with <see cref="ProposeFailover"/> (the replicas confirm the term is quiet, so a healthy holder is
/// never replaced) and relays a granted term to its holder. No Akka unreachable mark is needed, so forging fails over in
/// seconds even when the forger's region dies with the arbiter in it. Dueling with the arbiter costs time, never safety.
/// </summary>
public sealed class FailoverWatch : ReceiveActor, IWithTimers
{
    private sealed class Check
    {
        public static readonly Check Instance = new();
    }

    private sealed class Due
    {
        public static readonly Due Instance = new();
    }

    /// <summary>A quiet term (answer received at <paramref name="SeenAt"/>) this coordinator will propose a successor for
    /// at <paramref name="At"/> (monotonic).</summary>
    private sealed record Waiting(QuietTerm Term, TimeSpan SeenAt, TimeSpan At);

    private readonly IActorRef _proposer;
    private readonly IActorRef _nodes;
    private readonly IActorRef _mediator;
    private readonly TimeSpan _ttl;
    private readonly TimeSpan _interval;
    private readonly GrantSettings _grants;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly Dictionary<string, PoolState> _states = new(StringComparer.Ordinal);
    private readonly Dictionary<string, TimeSpan> _inFlight = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Waiting> _waiting = new(StringComparer.Ordinal);
    private readonly GrantRebroadcast _rebroadcast = new();
    private readonly HashSet<(string PoolId, TermId Term)> _explained = [];
    private readonly Dictionary<NodeId, FailoverPlanner.AskedView> _asked = [];
    private readonly Dictionary<NodeId, FailoverPlanner.AskedView> _linked = [];
    private readonly HashSet<NodeId> _warmed = [];
    private readonly SuccessorFreshness _freshness;
    private TimeSpan? _askedAt;
    private int _rank;

    public ITimerScheduler Timers { get; set; } = null!;

    public static Props Props(IActorRef proposer, IActorRef nodes, IActorRef mediator, ArbiterSettings settings, GrantSettings grants) =>
        Akka.Actor.Props.Create(() => new FailoverWatch(proposer, nodes, mediator, settings, grants));

    public FailoverWatch(IActorRef proposer, IActorRef nodes, IActorRef mediator, ArbiterSettings settings, GrantSettings grants)
    {
        _proposer = proposer;
        _nodes = nodes;
        _mediator = mediator;
        _ttl = settings.GrantTtl;
        _interval = settings.DecideInterval;
        _grants = grants;
        _freshness = settings.Successor;
        mediator.Tell(new Subscribe(ArbiterTopics.PoolState, Self));

        Receive<SubscribeAck>(_ => { });
        Receive<PoolStateChanged>(c =>
        {
            _states[c.State.PoolId] = c.State;
            WarmShardHomes(c.State);
        });
        // Answers to the bootstrap asks (OnCheck, Propose); a publication that arrived meanwhile is newer.
        Receive<PoolList>(l =>
        {
            foreach (var p in l.Pools.Where(p => !_states.ContainsKey(p.PoolId))) Arbiter.Tell(new GetPoolState(p.PoolId));
        });
        Receive<PoolState>(s =>
        {
            if (s.Phase == "unknown" || !_states.TryAdd(s.PoolId, s)) return;
            WarmShardHomes(s);
        });
        Receive<GetWatchedStates>(_ => Sender.Tell(new WatchedStates(_states.ToImmutableDictionary(StringComparer.Ordinal))));
        Receive<Check>(_ => OnCheck());
        Receive<Due>(_ => OnDue());
        Receive<QuietTerms>(OnQuietTerms);
        Receive<TermGranted>(g =>
        {
            _inFlight.Remove(g.PoolId);
            _log.Warning("failover: term {0} granted to {1} for pool {2} (activation in {3:F1}s) without the arbiter",
                g.Term, g.Holder, g.PoolId, g.ActivationDelay.TotalSeconds);
            _nodes.Tell(new DeliverGrant(g.Holder, g.ToAgentGrant()));
            _mediator.Tell(new Publish(GrantTopics.Of(g.PoolId), new GrantBroadcast(g.ToAgentGrant())));
            _rebroadcast.Add(g.ToAgentGrant(), Now);
            if (_states.TryGetValue(g.PoolId, out var s))
                _states[g.PoolId] = s with { Holder = g.Holder, HolderIncarnation = g.Incarnation, Term = g.Term };
        });
        // The candidates' entities answering GetNodeView (OnQuietTerms): newer than the published state.
        Receive<NodeViewChanged>(v => _asked[v.View.Node] = new FailoverPlanner.AskedView(v.View, Now));
        Receive<DeliveryFailed>(f => f.What == "view", f => _asked[f.Node] = new FailoverPlanner.AskedView(null, Now));
        // The same candidates' links answering AskLinkedAgents (no Sharding on the way: their entities may be out of reach).
        Receive<LinkedAgentView>(v => _linked[v.View.Node] = new FailoverPlanner.AskedView(v.View, Now));
        Receive<DeliveryFailed>(f => _log.Warning("failover: {0} to {1} not delivered: {2}", f.What, f.Node, f.Reason));
        Receive<TermNotGranted>(n => _inFlight.Remove(n.PoolId));
        Receive<FailoverNotNeeded>(n => _inFlight.Remove(n.PoolId));
    }

    private TimeSpan Now => Context.System.Scheduler.MonotonicClock;

    protected override void PreStart() => Timers.StartPeriodicTimer("check", Check.Instance, _interval);

    /// <summary>The arbiter through this coordinator's singleton proxy (Akka.Hosting's WithSingleton names it so).</summary>
    private ActorSelection Arbiter => Context.ActorSelection("/user/forge-arbiter-proxy");

    private void OnCheck()
    {
        var now = Now;
        foreach (var grant in _rebroadcast.Due(now)) _mediator.Tell(new Publish(GrantTopics.Of(grant.PoolId), new GrantBroadcast(grant)));
        if (_states.Count == 0)
        {
            // Publications come only on change: a coordinator that (re)started since knows no pool and could not act
            // when the arbiter is cut off next (seen after a partition: the restarted coordinator's watch stayed idle).
            Arbiter.Tell(ListPools.Instance);
            return;
        }
        foreach (var answers in new[] { _asked, _linked })
        {
            foreach (var (node, _) in answers.Where(a => now - a.Value.HeardAt > _freshness.ViewStaleAfter * 2).ToList()) answers.Remove(node);
        }
        if (_askedAt is { } at && now - at < _interval + _interval) return;
        if (FailoverPlanner.Rank(ClusterMembersView.Of(Akka.Cluster.Cluster.Get(Context.System))) is not { } rank) return;
        _askedAt = now;
        _rank = rank;
        _proposer.Tell(new FindQuietTerms(0)); // the arbiter's bound: this rank's wait is timed here (OnQuietTerms)
    }

    private void OnQuietTerms(QuietTerms q)
    {
        _askedAt = null;
        var now = Now;
        _waiting.Clear(); // a term no longer reported quiet (renewed again, replaced) is not proposed for
        foreach (var t in q.Terms)
        {
            var wait = FailoverPlanner.WaitBeforeProposing(t, _rank, _grants);
            // Ask the possible successors' entities how they are now; a watch learning late gives them a moment.
            if (AskCandidates(t) && !HasFreshAnswer(t.PoolId, now) && wait < FailoverPlanner.AnswerWindow) wait = FailoverPlanner.AnswerWindow;
            if (wait == TimeSpan.Zero) Propose(t, now);
            else _waiting[t.PoolId] = new Waiting(t, now, now + wait);
        }
        if (_waiting.Count > 0) Timers.StartSingleTimer("due", Due.Instance, _waiting.Values.Min(w => w.At) - now);
        else Timers.Cancel("due");
    }

    /// <summary>
    /// Asks each node's entity once, when it first appears in a state, so this coordinator's shard region learns where the
    /// node's shard lives while the shard coordinator can still tell: a region asks the coordinator (a singleton on the
    /// oldest member) only for shards it has not sent to yet, and when a region dies with the arbiter the oldest often dies
    /// with it. Unwarmed, the surviving candidates' entities could not be asked then (seen in RealQuorumSpec: only the
    /// asker's own region's entities answered, so a lower-priority cluster was chosen).
    /// </summary>
    private void WarmShardHomes(PoolState state)
    {
        foreach (var n in state.Nodes.Where(n => _warmed.Add(n.Node))) _nodes.Tell(new GetNodeView(n.Node));
    }

    /// <summary>Asks every node outside the holder's cluster in the pool's state, at its entity and at its agent's link;
    /// false when no state.</summary>
    private bool AskCandidates(QuietTerm t)
    {
        if (!_states.TryGetValue(t.PoolId, out var state)) return false;
        var candidates = state.Nodes.Where(n => n.Node.Cluster != t.Holder.Cluster).Select(n => n.Node).ToImmutableArray();
        foreach (var n in candidates) _nodes.Tell(new GetNodeView(n));
        _mediator.Tell(new Publish(GrantTopics.Of(t.PoolId), new AskLinkedAgents(t.PoolId, candidates)));
        return true;
    }

    private bool HasFreshAnswer(string poolId, TimeSpan now) =>
        _states.TryGetValue(poolId, out var state) && FailoverPlanner.Overlay(state, Asked, _freshness, now).Any(n => n.Fresh);

    /// <summary>Whose answer about <paramref name="node"/> counts now: its entity's or its agent's link's (logs).</summary>
    private string AnsweredBy(NodeId node) =>
        _linked.TryGetValue(node, out var l) && Asked(node) == l ? "its agent's link" : "its entity";

    private FailoverPlanner.AskedView? Asked(NodeId node) =>
        FailoverPlanner.Merge(_asked.TryGetValue(node, out var a) ? a : null, _linked.TryGetValue(node, out var l) ? l : null, _freshness, Now);

    private void OnDue()
    {
        var now = Now;
        foreach (var w in _waiting.Values.Where(w => w.At <= now).ToList())
        {
            _waiting.Remove(w.Term.PoolId);
            // quiet for at least the time waited since (unless renewed: the failover check asks a majority again)
            Propose(w.Term with { QuietFor = w.Term.QuietFor + (now - w.SeenAt) }, now);
        }
        if (_waiting.Count > 0) Timers.StartSingleTimer("due", Due.Instance, _waiting.Values.Min(w => w.At) - now);
    }

    private void Propose(QuietTerm t, TimeSpan now)
    {
        if (_inFlight.TryGetValue(t.PoolId, out var since) && now - since < _ttl) return;
        if (!_states.TryGetValue(t.PoolId, out var state))
        {
            Arbiter.Tell(new GetPoolState(t.PoolId)); // a pool created since the bootstrap ask: known at the next check
            NotProposing(t, "no pool state from the arbiter yet");
            return;
        }
        // The quorum's holder, not the published one (the state may predate a fallback's grant).
        var holding = state with { Holder = t.Holder };
        if (FailoverPlanner.Candidate(holding, Asked, _freshness, now) is not { } candidate || candidate.Node == t.Holder)
        {
            var seen = holding with { Nodes = [.. FailoverPlanner.Overlay(holding, Asked, _freshness, now).Select(n => n.View)] };
            NotProposing(t, "no alive, synced, connected node of another eligible cluster in the arbiter's last published state " +
                $"(decided {state.DecidedAt:HH:mm:ss.f}) with the nodes' answers: {FailoverPlanner.WhyNoCandidate(seen, t.Holder)}");
            return;
        }
        _inFlight[t.PoolId] = now;
        _log.Warning("failover: pool {0}: term {1} of {2} not renewed on [{3}] for {4}; proposing {5}", t.PoolId, t.Term,
            t.Holder, string.Join(", ", t.Regions), $"{t.QuietFor.TotalSeconds:F1}s (rank {_rank})", candidate.Node + (candidate.Fresh
                ? $" (incarnation {candidate.Incarnation}: {AnsweredBy(candidate.Node)} answered just now)"
                : " (no fresh answer from any candidate: the published state's choice)"));
        _proposer.Tell(new ProposeFailover(t.PoolId, t.Term, candidate.Node, candidate.Incarnation, _ttl,
            $"{t.Holder} stopped renewing term {t.Term} ({t.QuietFor.TotalSeconds:F1}s quiet on a majority) and the arbiter did not act"));
    }

    /// <summary>Says once per quiet term why this watch does not propose (a silent watch was unexplainable in the logs).</summary>
    private void NotProposing(QuietTerm t, string why)
    {
        if (_explained.Add((t.PoolId, t.Term)))
            _log.Warning("failover: pool {0}: term {1} of {2} quiet for {3:F1}s; not proposing: {4}", t.PoolId, t.Term, t.Holder,
                t.QuietFor.TotalSeconds, why);
        if (_explained.Count > 1000) _explained.Clear();
    }
}
