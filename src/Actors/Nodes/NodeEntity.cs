using Akka.Actor;
using Akka.Event;
using Forge.Protocol;
using Forge.Specs;

namespace Forge.Nodes;

/// <summary>
/// The arbiter's view of one agent (sharded, entity id <c>&lt;cluster&gt;/&lt;pod&gt;</c>, remember-entities off): checks
/// registrations, keeps the latest report, tells the arbiter what changed, and relays grants and revokes to the
/// agent's connection (wherever that lives). Renewals never pass here.
/// <para>Registration is refused (AgentRefused with the reason, logged, shown in the view) for: a protocol version
/// other than ours, a region outside <c>forge.cluster.regions</c>, an unknown pool (no CardanoForgeCluster of it is
/// known here nor to a majority of coordinators: <see cref="Forge.Specs.SpecStore"/>), and a second live incarnation of the same identity. Credentials registered under two pools are found by
/// the arbiter (it sees every pool) and refused through <see cref="RefuseNode"/>.</para>
/// </summary>
public sealed class NodeEntity : ReceiveActor, IWithTimers, IWithStash
{
    private sealed class Refresh
    {
        public static readonly Refresh Instance = new();
        private Refresh() { }
    }

    /// <summary>Fires <see cref="NodeSettings.SilentAfter"/> after the agent was last heard (restarted on every report).</summary>
    private sealed class Silence
    {
        public static readonly Silence Instance = new();
        private Silence() { }
    }

    private sealed record Registration(RegisterAgent Request, IActorRef Connection, TimeSpan LastHeard);

    private readonly NodeId _node;
    private readonly NodeSettings _settings;
    private readonly IActorRef _arbiter;
    private readonly IActorRef _specs;
    private readonly string _coordinatorId;
    private readonly ILoggingAdapter _log = Context.GetLogger();

    private Registration? _reg;
    private bool _connected;
    private NodeStatusReport? _report;
    private string? _refused;
    private NodeView? _published;
    /// <summary>The arbiter was told the agent went silent (a view with a report age of at least SilentAfter).</summary>
    private bool _toldSilent;

    public ITimerScheduler Timers { get; set; } = null!;
    public IStash Stash { get; set; } = null!;

    /// <param name="arbiter">The ForgeArbiter singleton proxy.</param>
    /// <param name="specs">This coordinator's <see cref="SpecStore"/>.</param>
    public static Props Props(NodeId node, NodeSettings settings, IActorRef arbiter, IActorRef specs, string coordinatorId) =>
        Akka.Actor.Props.Create(() => new NodeEntity(node, settings, arbiter, specs, coordinatorId));

    public NodeEntity(NodeId node, NodeSettings settings, IActorRef arbiter, IActorRef specs, string coordinatorId)
    {
        _node = node;
        _settings = settings;
        _arbiter = arbiter;
        _specs = specs;
        _coordinatorId = coordinatorId;
        Become(Ready);
    }

    private TimeSpan Now => Context.System.Scheduler.MonotonicClock;

    protected override void PreStart() => Timers.StartPeriodicTimer("refresh", Refresh.Instance, _settings.ViewRefresh);

    private void Ready()
    {
        Receive<RegisterAgent>(OnRegister);
        Receive<NodeStatusReport>(OnReport);
        Receive<AgentDisconnected>(d =>
        {
            // Only the registered link's: an agent that moved to another coordinator registered there first, and the old
            // link's notice (through Sharding, from another node) may come after that registration.
            if (_reg is null || _reg.Request.Incarnation != d.Incarnation || !Sender.Equals(_reg.Connection)) return;
            _log.Info("{0}: agent incarnation {1} disconnected: {2}", _node, d.Incarnation, d.Reason);
            _connected = false;
            Publish(force: true);
        });
        Receive<Terminated>(t =>
        {
            if (_reg is null || !t.ActorRef.Equals(_reg.Connection)) return;
            _connected = false;
            Publish(force: true);
        });
        Receive<DeliverGrant>(g => Relay(g.Grant, g.Grant.Incarnation, "grant"));
        Receive<DeliverRevoke>(r => Relay(r.Revoke, r.Revoke.Incarnation, "revoke"));
        Receive<DeliverClusterInfo>(i =>
        {
            if (_reg is not null && _connected) _reg.Connection.Tell(i.Info);
        });
        Receive<RefuseNode>(r =>
        {
            if (_reg is null || _reg.Request.Incarnation != r.Incarnation) return;
            Refuse(_reg.Request, _reg.Connection, r.Reason);
        });
        Receive<Released>(r => ForwardIfCurrent(r, r.Incarnation));
        Receive<HandoverRequest>(h => ForwardIfCurrent(h, h.Incarnation));
        Receive<GetNodeView>(_ =>
        {
            if (View() is { } v && HasNews) Sender.Tell(new NodeViewChanged(v));
            else Sender.Tell(new DeliveryFailed(_node, "view", _reg is null ? "not registered" : "no report yet"));
        });
        Receive<Refresh>(_ => Publish(force: true));
        Receive<Silence>(_ => OnSilence());
    }

    /// <summary>The agent sent nothing for SilentAfter: tell the arbiter now, not at the next refresh (up to
    /// view-refresh later), so a node that died with its region is not picked as a successor because its last view
    /// still looked alive. One view per silence; the next report ends it (and is told at once too).</summary>
    private void OnSilence()
    {
        if (_reg is null || !_connected || _refused is not null || _toldSilent) return;
        var quiet = Now - _reg.LastHeard;
        if (quiet < _settings.SilentAfter)
        {
            Timers.StartSingleTimer("silent", Silence.Instance, _settings.SilentAfter - quiet);
            return;
        }
        _toldSilent = true;
        Publish(force: true);
    }

    private void OnRegister(RegisterAgent r)
    {
        if (r.ProtocolVersion != AgentProtocol.Version)
        {
            Refuse(r, Sender, $"agent protocol version {r.ProtocolVersion} is not supported; this coordinator speaks version {AgentProtocol.Version}");
            return;
        }
        if (!_settings.ConfiguredRegions.Contains(r.Region, StringComparer.Ordinal))
        {
            Refuse(r, Sender, $"region '{r.Region}' is not configured (forge.cluster.regions = [{string.Join(", ", _settings.ConfiguredRegions)}])");
            return;
        }
        if (_reg is { } cur && cur.Request.Incarnation != r.Incarnation && _connected && Now - cur.LastHeard < _settings.StaleAfter
            && !cur.Connection.Equals(Sender))
        {
            Refuse(r, Sender, $"duplicate node identity {_node}: incarnation {cur.Request.Incarnation} is registered and alive " +
                              $"(heard {(Now - cur.LastHeard).TotalSeconds:0.#}s ago); two agents claim one identity");
            return;
        }
        if (_reg is { } same && same.Request.Incarnation == r.Incarnation && same.Request.PoolId == r.PoolId && _refused is null)
        {
            Accept(r, Sender); // re-registration of the same incarnation (reconnect, entity moved): no pool lookup needed
            return;
        }
        var replyTo = Sender;
        _specs.Tell(new GetPoolSpecs(r.PoolId));
        Become(() =>
        {
            Receive<PoolSpecs>(p => p.PoolId == r.PoolId, p =>
            {
                if (!p.Known) Refuse(r, replyTo, $"unknown pool '{r.PoolId}': no CardanoForgeCluster of this pool is known to the coordinators");
                else Accept(r, replyTo);
                Become(Ready);
                Stash.UnstashAll();
            });
            ReceiveAny(_ => Stash.Stash());
        });
    }

    private void Accept(RegisterAgent r, IActorRef connection)
    {
        if (_reg is { } old && !old.Connection.Equals(connection)) Context.Unwatch(old.Connection);
        // A refusal is over once accepted, also for the same incarnation asking again (the agent retries refusals:
        // a pool unknown at start becomes known once the CRs load).
        _refused = null;
        if (_reg is null || _reg.Request.Incarnation != r.Incarnation)
        {
            _report = null;
            _log.Info("{0}: registered incarnation {1} (pool {2}, region {3}, opcert counter {4})",
                _node, r.Incarnation, r.PoolId, r.Region, r.Credentials.OpcertCounter);
        }
        _reg = new Registration(r, connection, Now);
        _connected = true;
        _toldSilent = false;
        Timers.StartSingleTimer("silent", Silence.Instance, _settings.SilentAfter);
        Context.Watch(connection);
        connection.Tell(new AgentRegistered(_node, r.Incarnation, _coordinatorId));
        Publish(force: true);
    }

    private void Refuse(RegisterAgent r, IActorRef connection, string reason)
    {
        _log.Warning("{0}: registration of incarnation {1} refused: {2}", _node, r.Incarnation, reason);
        connection.Tell(new AgentRefused(_node, r.Incarnation, reason));
        if (_reg is null || _reg.Request.Incarnation == r.Incarnation)
        {
            // Keep the refused registration visible (status, shell); it never becomes eligible.
            _reg = new Registration(r, connection, Now);
            _connected = true;
            _refused = reason;
            Publish(force: true);
        }
    }

    private void OnReport(NodeStatusReport r)
    {
        if (_reg is null)
        {
            Sender.Tell(new RegistrationLost(_node));
            return;
        }
        if (r.Incarnation != _reg.Request.Incarnation) return; // another incarnation's late report
        if (_report is not null && r.Sequence <= _report.Sequence) return; // reordered or duplicated
        if (!_connected && _refused is null && !Sender.Equals(_reg.Connection) && !Sender.IsNobody())
        {
            // The registered link is gone but another link speaks for this incarnation: it is the agent's link now. (A
            // registration that reached this entity after its link had closed, e.g. an agent's return home that was not
            // taken, leaves the registration on the closed link.)
            Context.Unwatch(_reg.Connection);
            _reg = _reg with { Connection = Sender };
            Context.Watch(Sender);
            _connected = true;
        }
        _report = r;
        _reg = _reg with { LastHeard = Now };
        Timers.StartSingleTimer("silent", Silence.Instance, _settings.SilentAfter);
        var wasSilent = _toldSilent; // the end of a silence is told at once too
        _toldSilent = false;
        Publish(force: wasSilent);
    }

    private void Relay(IAgentProtocolMessage message, Guid incarnation, string what)
    {
        if (_reg is null || !_connected || _reg.Request.Incarnation != incarnation || _refused is not null)
        {
            var why = _reg is null ? "not registered" : !_connected ? "agent not connected"
                : _refused is not null ? $"registration refused: {_refused}" : $"incarnation {incarnation} is not the registered one";
            Sender.Tell(new DeliveryFailed(_node, what, why));
            return;
        }
        _reg.Connection.Tell(message);
    }

    private void ForwardIfCurrent(object message, Guid incarnation)
    {
        // A release names its incarnation; the arbiter and the quorum decide what it proves. Forward it even from a
        // disconnected incarnation (its link may have dropped right after verifying the node stopped).
        if (_reg is not null && _reg.Request.Incarnation == incarnation) _arbiter.Forward(message);
        else _log.Info("{0}: ignored {1} from incarnation {2} (registered: {3})", _node, message.GetType().Name, incarnation,
            _reg?.Request.Incarnation.ToString() ?? "none");
    }

    /// <summary>Whether a view would say something: an agent registered but not heard from since (its entity re-created
    /// after the shard moved, a link re-made to another coordinator, or a new incarnation) reports within a second, and a
    /// view before that says "not alive" of a node that may be forging. Seen: an arbiter revoked a healthy forger whose
    /// entity had just moved home and granted it again 60 ms later, a forging gap after a partition healed. Told anyway
    /// once the agent stays silent (<see cref="OnSilence"/>), disconnects or is refused.</summary>
    private bool HasNews => _report is not null || !_connected || _refused is not null || _toldSilent;

    private NodeView? View() => _reg is null ? null
        : NodeView.Of(_reg.Request, _report, _connected, _refused, _coordinatorId, Now - _reg.LastHeard, _settings.SyncedMaxLagSlots);

    private void Publish(bool force)
    {
        var v = View();
        if (v is null || !HasNews) return;
        var p = _published;
        var changed = p is null || p.Connected != v.Connected || p.Alive != v.Alive || p.Synced != v.Synced
                      || p.Forging != v.Forging || p.LastSignal != v.LastSignal || p.LastSignalAt != v.LastSignalAt || p.HeldTerm != v.HeldTerm
                      || p.Incarnation != v.Incarnation || p.Refused != v.Refused || p.Credentials != v.Credentials
                      || p.PoolId != v.PoolId || Math.Abs(v.TipSlot - p.TipSlot) >= _settings.TipPublishSlots;
        if (!force && !changed) return;
        _published = v;
        _arbiter.Tell(new NodeViewChanged(v));
    }
}
