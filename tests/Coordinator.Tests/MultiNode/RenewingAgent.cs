using Akka.Actor;
using Forge.Grants;
using Forge.Nodes;
using Forge.Protocol;

namespace Forge.Coordinator.Tests.MultiNode;

/// <summary>
/// An agent on the real grant module, in its region's ActorSystem: registers with the node entities and reports like
/// <see cref="FakeAgent"/>, but forges only as the real agent does — on <see cref="GrantPermission"/>: it asks its own
/// coordinator's renewal batcher every TTL/5 for the term it was granted (asking before the term is active is refused
/// by the replicas) and records each majority-accepted answer's permission in the shared <see cref="PermissionLog"/>.
/// On a revoke it stops at once (its "node" has no state), ends the term and releases it.
/// </summary>
public sealed class RenewingAgent : ReceiveActor, IWithTimers
{
    private sealed class Tick
    {
        public static readonly Tick Instance = new();
    }

    private static readonly TimeSpan FenceDisableBound = TimeSpan.FromMilliseconds(100);

    private readonly RegisterAgent _registration;
    private readonly IActorRef _nodes;
    private readonly IActorRef _renewals;
    private readonly PermissionLog _log;
    private GrantPermission _permission;
    private long _sequence;
    private long _requestId;
    private bool _askedForTerm;

    public ITimerScheduler Timers { get; set; } = null!;

    public static Props Props(RegisterAgent registration, IActorRef nodes, IActorRef renewals, GrantTiming timing, PermissionLog log) =>
        Akka.Actor.Props.Create(() => new RenewingAgent(registration, nodes, renewals, timing, log));

    public RenewingAgent(RegisterAgent registration, IActorRef nodes, IActorRef renewals, GrantTiming timing, PermissionLog log)
    {
        (_registration, _nodes, _renewals, _log) = (registration, nodes, renewals, log);
        _permission = GrantPermission.Start(registration.Incarnation, timing, FenceDisableBound);

        Receive<Tick>(_ => OnTick());
        Receive<AgentRegistered>(_ => Report());
        Receive<AgentRefused>(_ => { });
        Receive<RegistrationLost>(_ => _nodes.Tell(_registration));
        Receive<ClusterInfo>(_ => { });
        Receive<Grant>(g =>
        {
            var before = _permission.Term;
            _permission = _permission.Adopt(g);
            if (_permission.Term != before) _askedForTerm = false;
            Report();
        });
        Receive<Renewed>(r =>
        {
            _permission = _permission.OnRenewed(r);
            var now = _log.Now;
            if (_permission.MayForge(now)) _log.Permit(_registration.Node, now, _permission.ForgeUntil);
        });
        Receive<RenewRefused>(r => _permission = _permission.OnRefused(r));
        Receive<Revoke>(r =>
        {
            if (r.Term != _permission.Term) return;
            _log.Stopped(_registration.Node, _log.Now); // verified off before the release is sent
            _permission = _permission.End();
            var released = new Released(r.PoolId, _registration.Node, _registration.Incarnation, r.Term, "verified off");
            _renewals.Tell(released);
            _nodes.Tell(released);
            Report();
        });
    }

    protected override void PreStart()
    {
        _nodes.Tell(_registration);
        Timers.StartPeriodicTimer("tick", Tick.Instance, TimeSpan.FromMilliseconds(300));
    }

    private void OnTick()
    {
        if (_permission.HoldsTerm)
        {
            var id = ++_requestId;
            _permission = _permission.RequestSent(id, _log.Now); // read before sending
            var p = _permission;
            _renewals.Tell(_askedForTerm
                ? new Renew(_registration.PoolId, _registration.Node, _registration.Incarnation, p.Term, id)
                : new GrantRequest(_registration.PoolId, _registration.Node, _registration.Incarnation, p.Term, id));
            _askedForTerm = true;
        }
        Report();
    }

    private void Report()
    {
        var forging = _permission.MayForge(_log.Now);
        _nodes.Tell(new NodeStatusReport(_registration.Node, _registration.Incarnation, ++_sequence,
            Alive: true, Synced: true, TipSlot: 1000 + _sequence, CurrentSlot: 1001 + _sequence,
            forging ? VerifiedForging.On : VerifiedForging.Off, SignalOutcome.Verified, 50, _permission.Term));
    }
}
