using Akka.Actor;
using Forge.Nodes;
using Forge.Protocol;

namespace Forge.Coordinator.Tests.MultiNode;

/// <summary>
/// An agent as the node entities see it, living in its region's ActorSystem (its "connection" is this actor):
/// registers, reports every 300 ms, takes a Grant as held (and forging), answers a Revoke with a Released, and
/// registers again when its entity lost it. No TLS link and no quorum: those belong to other tests.
/// </summary>
public sealed class FakeAgent : ReceiveActor, IWithTimers
{
    private sealed class Report
    {
        public static readonly Report Instance = new();
    }

    private readonly RegisterAgent _registration;
    private readonly IActorRef _nodes;
    private long _sequence;
    private TermId _held = TermId.None;

    public ITimerScheduler Timers { get; set; } = null!;

    public static Props Props(RegisterAgent registration, IActorRef nodes) =>
        Akka.Actor.Props.Create(() => new FakeAgent(registration, nodes));

    public FakeAgent(RegisterAgent registration, IActorRef nodes)
    {
        _registration = registration;
        _nodes = nodes;
        Receive<Report>(_ => SendReport());
        Receive<AgentRegistered>(_ => SendReport());
        Receive<AgentRefused>(_ => { });
        Receive<RegistrationLost>(_ => _nodes.Tell(_registration));
        Receive<Grant>(g =>
        {
            if (g.Term > _held) _held = g.Term;
            SendReport();
        });
        Receive<Revoke>(r =>
        {
            if (r.Term != _held) return;
            _held = TermId.None;
            _nodes.Tell(new Released(r.PoolId, _registration.Node, _registration.Incarnation, r.Term, "verified off"));
            SendReport();
        });
        Receive<ClusterInfo>(_ => { });
    }

    protected override void PreStart()
    {
        _nodes.Tell(_registration);
        Timers.StartPeriodicTimer("report", Report.Instance, TimeSpan.FromMilliseconds(300));
    }

    private void SendReport() => _nodes.Tell(new NodeStatusReport(_registration.Node, _registration.Incarnation, ++_sequence,
        Alive: true, Synced: true, TipSlot: 1000 + _sequence, CurrentSlot: 1001 + _sequence,
        _held.IsNone ? VerifiedForging.Off : VerifiedForging.On, SignalOutcome.Verified, 50, _held));
}
