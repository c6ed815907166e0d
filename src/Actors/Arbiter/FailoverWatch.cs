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
/// Pure parts of the failover watch: whether this coordinator should act for a missing arbiter, and whom to propose.
/// </summary>
public static class FailoverPlanner
{
    /// <summary>
    /// The arbiter is suspect when the oldest coordinator (its host) is unreachable, or the host changed less than
    /// <paramref name="grace"/> ago (the new singleton is starting or settling). Only one coordinator per side acts: the
    /// oldest reachable Up coordinator (dueling proposers would only cost time).
    /// </summary>
    public static bool ShouldAct(ClusterMembersSnapshot s, TimeSpan sinceHostChanged, TimeSpan grace)
    {
        var coordinators = s.Members.Where(m => m.Status is "Up" or "Leaving" && m.Roles.Contains(ClusterRoles.Coordinator)).ToList();
        var host = coordinators.FirstOrDefault(m => m.Oldest);
        var suspect = host is null || host.Reachability != "reachable" || sinceHostChanged < grace;
        if (!suspect) return false;
        // Members are listed by address; age order is what the singleton uses, and the oldest flag marks only the
        // host, so among the reachable ones prefer the host itself, else the lowest address (deterministic per side).
        var actor = coordinators.Where(m => m.Reachability == "reachable")
            .OrderBy(m => m.Oldest ? 0 : 1).ThenBy(m => m.Address, StringComparer.Ordinal).FirstOrDefault();
        return actor is { Self: true };
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
/// Runs on every coordinator. When the arbiter singleton is missing (its host unreachable, or moving and settling),
/// the acting coordinator of this side asks the grant module to fail over each pool whose holder's renewals stopped
/// (<see cref="ProposeFailover"/>: the replicas decide whether the term is stalled, so a healthy holder is never
/// replaced), and relays a granted term to its holder. Inputs are the arbiter's last published pool states
/// (DistributedPubSub topic forge-pool-state), so forging can fail over in seconds even when the forger's region dies
/// with the arbiter in it. Dueling with a late singleton costs time, never safety.
/// </summary>
public sealed class FailoverWatch : ReceiveActor, IWithTimers
{
    private sealed class Check
    {
        public static readonly Check Instance = new();
    }

    private readonly IActorRef _proposer;
    private readonly IActorRef _nodes;
    private readonly TimeSpan _ttl;
    private readonly TimeSpan _grace;
    private readonly TimeSpan _interval;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly Dictionary<string, PoolState> _states = new(StringComparer.Ordinal);
    private readonly Dictionary<string, TimeSpan> _inFlight = new(StringComparer.Ordinal);
    private string? _host;
    private TimeSpan _hostChangedAt;

    public ITimerScheduler Timers { get; set; } = null!;

    public static Props Props(IActorRef proposer, IActorRef nodes, IActorRef mediator, ArbiterSettings settings) =>
        Akka.Actor.Props.Create(() => new FailoverWatch(proposer, nodes, mediator, settings));

    public FailoverWatch(IActorRef proposer, IActorRef nodes, IActorRef mediator, ArbiterSettings settings)
    {
        _proposer = proposer;
        _nodes = nodes;
        _ttl = settings.GrantTtl;
        _interval = settings.DecideInterval;
        _grace = settings.StartupSettle + settings.DecideInterval + settings.DecideInterval;
        mediator.Tell(new Subscribe(ArbiterTopics.PoolState, Self));

        Receive<SubscribeAck>(_ => { });
        Receive<PoolStateChanged>(c => _states[c.State.PoolId] = c.State);
        Receive<Check>(_ => OnCheck());
        Receive<TermGranted>(g =>
        {
            _inFlight.Remove(g.PoolId);
            _log.Warning("failover: term {0} granted to {1} for pool {2} while the arbiter was missing", g.Term, g.Holder, g.PoolId);
            _nodes.Tell(new DeliverGrant(g.Holder, g.ToAgentGrant()));
            if (_states.TryGetValue(g.PoolId, out var s))
                _states[g.PoolId] = s with { Holder = g.Holder, HolderIncarnation = g.Incarnation, Term = g.Term };
        });
        Receive<TermNotGranted>(n => _inFlight.Remove(n.PoolId));
        Receive<FailoverNotNeeded>(n => _inFlight.Remove(n.PoolId));
    }

    private TimeSpan Now => Context.System.Scheduler.MonotonicClock;

    protected override void PreStart()
    {
        _hostChangedAt = Now;
        Timers.StartPeriodicTimer("check", Check.Instance, _interval);
    }

    private void OnCheck()
    {
        var snapshot = ClusterMembersView.Of(Akka.Cluster.Cluster.Get(Context.System));
        var now = Now;
        if (snapshot.ArbiterHost != _host)
        {
            _host = snapshot.ArbiterHost;
            _hostChangedAt = now;
        }
        if (!FailoverPlanner.ShouldAct(snapshot, now - _hostChangedAt, _grace)) return;
        foreach (var (poolId, state) in _states)
        {
            if (_inFlight.TryGetValue(poolId, out var since) && now - since < _ttl) continue;
            if (state.Term.IsNone || FailoverPlanner.Candidate(state) is not { } candidate) continue;
            _inFlight[poolId] = now;
            _proposer.Tell(new ProposeFailover(poolId, state.Term, candidate.Node, candidate.Incarnation, _ttl,
                $"arbiter missing; {state.Holder} stopped renewing term {state.Term}"));
        }
    }
}
