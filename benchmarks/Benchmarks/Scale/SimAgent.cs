using System.Net;
using Akka.Actor;
using Forge.Nodes;
using Forge.Protocol;
using Forge.Transport;

namespace Forge.Benchmarks.Scale;

/// <summary>
/// One simulated forge-agent behind a real <see cref="AgentConnection"/> (its session is this actor's mailbox instead
/// of a TLS link), following the real agent's rules (src/NodeAgent/Core/AgentDecider): registers, reports status every
/// status interval, takes a granted term by asking the quorum for it (forging only on a majority-accepted answer),
/// renews every renew interval, keeps renewing after a refused renewal (not forging meanwhile) and asks again
/// after a refused first request; on a revoke it stops at once and sends the verified release (a real agent waits for
/// its fence to prove the node off). Timers start at a random phase so thousands of agents do not report in lockstep.
/// </summary>
public sealed class SimAgent : ReceiveActor, IWithTimers
{
    public sealed record Timing(TimeSpan StatusInterval, TimeSpan RenewInterval, TimeSpan RequestRetry, TimeSpan RegistrationRetry);

    private sealed record Status;
    private sealed record RenewNow;
    private sealed record Register;

    private sealed class Session(IActorRef agent, long id, ScaleCounters counters) : IAgentSession
    {
        public long Id => id;
        public EndPoint? Remote => null;
        public string PeerSubject => "CN=sim-agent";

        public bool Send(IAgentProtocolMessage message)
        {
            Interlocked.Increment(ref counters.CoordinatorToAgent);
            agent.Tell(message);
            return true;
        }

        public void Close(string reason) { }
    }

    private readonly string _pool;
    private readonly NodeId _node;
    private readonly string _region;
    private readonly Guid _incarnation = Guid.NewGuid();
    private readonly CredentialFingerprint _credentials;
    private readonly Timing _timing;
    private readonly ScaleRecorder _recorder;
    private readonly ScaleCounters _counters;
    private readonly Func<long> _currentSlot;
    private readonly IActorRef _link;
    private TermId _term = TermId.None; // the term this agent was granted and asks the quorum for
    private TermId _dead = TermId.None; // revoked: never taken again
    private bool _forging;
    private long _sequence;
    private long _requestId;

    public ITimerScheduler Timers { get; set; } = null!;

    public static Props Props(string pool, NodeId node, string region, long sessionId, Timing timing, IActorRef nodes, IActorRef renewals,
        ScaleRecorder recorder, ScaleCounters counters, Func<long> currentSlot) =>
        Akka.Actor.Props.Create(() => new SimAgent(pool, node, region, sessionId, timing, nodes, renewals, recorder, counters, currentSlot));

    public SimAgent(string pool, NodeId node, string region, long sessionId, Timing timing, IActorRef nodes, IActorRef renewals,
        ScaleRecorder recorder, ScaleCounters counters, Func<long> currentSlot)
    {
        (_pool, _node, _region, _timing, _recorder, _counters, _currentSlot) = (pool, node, region, timing, recorder, counters, currentSlot);
        _credentials = new CredentialFingerprint($"opcert-{pool}", 1, 100, 60);
        _link = Context.ActorOf(AgentConnection.Props(new Session(Self, sessionId, counters), nodes, renewals), "link");

        Receive<Register>(_ => Send(new RegisterAgent(AgentProtocol.Version, _pool, _node, _region, _incarnation, _credentials, AgentMode.Cluster)));
        Receive<AgentRegistered>(_ => { });
        Receive<AgentRefused>(_ =>
        {
            _recorder.RegistrationRefused();
            Timers.StartSingleTimer("register", new Register(), _timing.RegistrationRetry);
        });
        Receive<ClusterInfo>(_ => { });
        Receive<Status>(_ => Report());
        Receive<Grant>(g =>
        {
            if (g.Incarnation != _incarnation || g.Term <= _term || g.Term <= _dead) return;
            if (_forging) StopForging(lost: false);
            _term = g.Term;
            Timers.StartPeriodicTimer("renew", new RenewNow(), _timing.RenewInterval);
            Ask();
        });
        Receive<RenewNow>(_ => Ask());
        Receive<Renewed>(r =>
        {
            if (r.Incarnation != _incarnation || r.Term != _term || _forging) return;
            _forging = true;
            _recorder.Forging(_pool, _node);
            Report();
        });
        Receive<RenewRefused>(r =>
        {
            if (r.Incarnation != _incarnation || r.Term != _term) return;
            _recorder.RenewalRefused(r.Reason);
            if (_forging) StopForging(lost: true); // (a real agent forges on until its permission ends)
            else Timers.StartSingleTimer("retry", new RenewNow(), _timing.RequestRetry);
        });
        Receive<Revoke>(r =>
        {
            _recorder.Revoked(_pool);
            if (r.Term >= _term && !_term.IsNone)
            {
                if (_forging) StopForging(lost: false);
                _dead = _term;
                _term = TermId.None;
                Timers.Cancel("renew");
                Timers.Cancel("retry");
            }
            Send(new Released(_pool, _node, _incarnation, r.Term, "verified off (simulated)"));
            Report();
        });
    }

    protected override void PreStart()
    {
        Self.Tell(new Register());
        var phase = TimeSpan.FromMilliseconds(Random.Shared.NextDouble() * _timing.StatusInterval.TotalMilliseconds);
        Timers.StartPeriodicTimer("status", new Status(), phase, _timing.StatusInterval);
    }

    /// <summary>Stopped with its region (<see cref="ScaleWorld.LoseRegion"/>): its node dies with it, so it forges no more
    /// (the recorder already took it off when the region was lost).</summary>
    protected override void PostStop() => _forging = false;

    private void Ask()
    {
        if (_term.IsNone) return;
        Interlocked.Increment(ref _counters.Renewals);
        Send(_forging
            ? new Renew(_pool, _node, _incarnation, _term, ++_requestId)
            : new GrantRequest(_pool, _node, _incarnation, _term, ++_requestId));
    }

    private void StopForging(bool lost)
    {
        _forging = false;
        _recorder.Stopped(_pool, _node, lost);
        Report();
    }

    private void Report()
    {
        var slot = _currentSlot();
        Send(new NodeStatusReport(_node, _incarnation, ++_sequence, true, true, slot, slot,
            _forging ? VerifiedForging.On : VerifiedForging.Off, SignalOutcome.Verified, 60, _term));
    }

    private void Send(IAgentProtocolMessage m)
    {
        Interlocked.Increment(ref _counters.AgentToCoordinator);
        _link.Tell(new AgentConnection.FromAgent(m));
    }
}
