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
/// Pure parts of the failover watch: this coordinator's fallback rank, and whom to propose.
/// </summary>
public static class FailoverPlanner
{
    /// <summary>
    /// This coordinator's rank among the fallback proposers (the arbiter is rank 0): 1 + its place among the Up
    /// coordinators it sees reachable, the arbiter's host first, then by address; null when it is not one of them. Rank k
    /// proposes only once a term has been quiet k × failover-proposal-timeout longer than the arbiter would wait, so a
    /// live arbiter acts first and fallbacks rarely duel (a duel costs time, never safety). No unreachable mark is
    /// needed: a dead host (not yet marked) keeps rank 1, and rank 2 acts one timeout later.
    /// </summary>
    public static int? Rank(ClusterMembersSnapshot s)
    {
        var ordered = s.Members
            .Where(m => m.Status is "Up" or "Leaving" && m.Roles.Contains(ClusterRoles.Coordinator) && (m.Self || m.Reachability == "reachable"))
            .OrderBy(m => m.Oldest ? 0 : 1).ThenBy(m => m.Address, StringComparer.Ordinal)
            .ToList();
        var index = ordered.FindIndex(m => m.Self);
        return index < 0 ? null : index + 1;
    }

    /// <summary>The best other node from the last published pool state: an eligible cluster other than the holder's,
    /// healthy first, lowest effective priority, then its alive, synced, connected node with the highest tip.</summary>
    public static (NodeId Node, Guid Incarnation)? Candidate(PoolState state)
    {
        if (state.Holder is not { } holder) return null;
        foreach (var c in state.Clusters.Where(c => c.Eligible && c.Name != holder.Cluster)
                     .OrderBy(c => c.Healthy ? 0 : 1).ThenBy(c => c.EffectivePriority ?? int.MaxValue).ThenBy(c => c.Name, StringComparer.Ordinal))
        {
            var node = state.Nodes.Where(n => n.Node.Cluster == c.Name && n.Alive && n.Synced && n.Connected && n.Refused is null)
                .OrderByDescending(n => n.TipSlot).ThenBy(n => n.Node).FirstOrDefault();
            if (node is not null) return (node.Node, node.Incarnation);
        }
        return null;
    }
}

/// <summary>
/// Runs on every coordinator: the fallback proposer when the arbiter singleton does not act (its host dead or cut off
/// with the forger's region, moving, or settling). Every decide interval it asks the grant module which terms a majority
/// of replicas report quiet for longer than the arbiter would wait (<see cref="FailoverPlanner.Rank"/>); for each such
/// pool it proposes the best other node of the arbiter's last published state (DistributedPubSub topic
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

    private readonly IActorRef _proposer;
    private readonly IActorRef _nodes;
    private readonly IActorRef _mediator;
    private readonly TimeSpan _ttl;
    private readonly TimeSpan _interval;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly Dictionary<string, PoolState> _states = new(StringComparer.Ordinal);
    private readonly Dictionary<string, TimeSpan> _inFlight = new(StringComparer.Ordinal);
    private TimeSpan? _askedAt;

    public ITimerScheduler Timers { get; set; } = null!;

    public static Props Props(IActorRef proposer, IActorRef nodes, IActorRef mediator, ArbiterSettings settings) =>
        Akka.Actor.Props.Create(() => new FailoverWatch(proposer, nodes, mediator, settings));

    public FailoverWatch(IActorRef proposer, IActorRef nodes, IActorRef mediator, ArbiterSettings settings)
    {
        _proposer = proposer;
        _nodes = nodes;
        _mediator = mediator;
        _ttl = settings.GrantTtl;
        _interval = settings.DecideInterval;
        mediator.Tell(new Subscribe(ArbiterTopics.PoolState, Self));

        Receive<SubscribeAck>(_ => { });
        Receive<PoolStateChanged>(c => _states[c.State.PoolId] = c.State);
        // Answer to the bootstrap ask below; a publication that arrived meanwhile is newer.
        Receive<PoolState>(s => { if (s.Phase != "unknown") _states.TryAdd(s.PoolId, s); });
        Receive<Check>(_ => OnCheck());
        Receive<QuietTerms>(OnQuietTerms);
        Receive<TermGranted>(g =>
        {
            _inFlight.Remove(g.PoolId);
            _log.Warning("failover: term {0} granted to {1} for pool {2} (activation in {3:F1}s) without the arbiter",
                g.Term, g.Holder, g.PoolId, g.ActivationDelay.TotalSeconds);
            _nodes.Tell(new DeliverGrant(g.Holder, g.ToAgentGrant()));
            _mediator.Tell(new Publish(GrantTopics.Of(g.PoolId), new GrantBroadcast(g.ToAgentGrant())));
            if (_states.TryGetValue(g.PoolId, out var s))
                _states[g.PoolId] = s with { Holder = g.Holder, HolderIncarnation = g.Incarnation, Term = g.Term };
        });
        Receive<TermNotGranted>(n => _inFlight.Remove(n.PoolId));
        Receive<FailoverNotNeeded>(n => _inFlight.Remove(n.PoolId));
    }

    private TimeSpan Now => Context.System.Scheduler.MonotonicClock;

    protected override void PreStart() => Timers.StartPeriodicTimer("check", Check.Instance, _interval);

    private void OnCheck()
    {
        var now = Now;
        if (_states.Count == 0 || _askedAt is { } at && now - at < _interval + _interval) return;
        if (FailoverPlanner.Rank(ClusterMembersView.Of(Akka.Cluster.Cluster.Get(Context.System))) is not { } rank) return;
        _askedAt = now;
        _proposer.Tell(new FindQuietTerms(rank));
    }

    private void OnQuietTerms(QuietTerms q)
    {
        _askedAt = null;
        var now = Now;
        foreach (var t in q.Terms)
        {
            if (_inFlight.TryGetValue(t.PoolId, out var since) && now - since < _ttl) continue;
            if (!_states.TryGetValue(t.PoolId, out var state))
            {
                // Publications come only on change: a coordinator that started since has none. Ask the arbiter (through
                // this coordinator's singleton proxy: Akka.Hosting's WithSingleton names it so) for the next check.
                Context.ActorSelection("/user/forge-arbiter-proxy").Tell(new GetPoolState(t.PoolId));
                continue;
            }
            // The quorum's holder, not the published one (the state may predate a fallback's grant).
            if (FailoverPlanner.Candidate(state with { Holder = t.Holder }) is not { } candidate || candidate.Node == t.Holder) continue;
            _inFlight[t.PoolId] = now;
            _log.Warning("failover: pool {0}: term {1} of {2} not renewed on [{3}] for {4:F1}s; proposing {5}", t.PoolId, t.Term,
                t.Holder, string.Join(", ", t.Regions), t.QuietFor.TotalSeconds, candidate.Node);
            _proposer.Tell(new ProposeFailover(t.PoolId, t.Term, candidate.Node, candidate.Incarnation, _ttl,
                $"{t.Holder} stopped renewing term {t.Term} ({t.QuietFor.TotalSeconds:F1}s quiet on a majority) and the arbiter did not act"));
        }
    }
}
