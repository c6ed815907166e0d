using System.Collections.Concurrent;
using System.Net;
using Forge.Protocol;
using Forge.Transport;

namespace Forge.NodeAgent.Tests.Infrastructure;

/// <summary>
/// A scriptable coordinator on the real gateway (mutual TLS): registers agents, confirms grant requests and renewals of
/// the term it granted while <see cref="Confirming"/>, revokes on a handover request, and records everything with the
/// CLOCK_MONOTONIC time it arrived.
/// </summary>
internal sealed class FakeCoordinator : IAgentSessionHandler, IAsyncDisposable
{
    private readonly AgentGatewayServer _server;
    private volatile IAgentSession? _session;
    private long _termCounter;

    public FakeCoordinator(DevPkiPaths pki)
    {
        _server = new AgentGatewayServer(new IPEndPoint(IPAddress.Loopback, 0), pki.Server, this);
        _server.Start();
    }

    public int Port => _server.LocalEndPoint.Port;
    public ConcurrentQueue<(long Mono, IAgentProtocolMessage Message)> Received { get; } = new();
    public volatile bool Confirming = true;
    public volatile bool RevokeOnHandover = true;
    public RegisterAgent? Registration { get; private set; }
    public NodeStatusReport? LastStatus { get; private set; }
    public Grant? Current { get; private set; }
    /// <summary>Arrival time of the last request this coordinator confirmed (no later than its send time + TTL matters).</summary>
    public long LastConfirmedRequestMono { get; private set; }
    public ClusterInfo Info { get; set; } = new("c1", "r1", 1, 1, "Priority-based", ClusterHealth.Healthy, 1);

    /// <summary>While set, every connection is closed at once and nothing it carries is read (a coordinator the
    /// agent cannot reach); setting it closes the current one.</summary>
    public bool Unreachable
    {
        get => _unreachable;
        set
        {
            _unreachable = value;
            if (value) _session?.Close("coordinator unreachable (test)");
        }
    }

    private volatile bool _unreachable;

    public void OnConnected(IAgentSession session)
    {
        if (_unreachable) session.Close("coordinator unreachable (test)");
        else _session = session;
    }

    public void OnMessage(IAgentSession session, IAgentProtocolMessage message)
    {
        if (_unreachable) return;
        var now = Clocks.MonoNs();
        Received.Enqueue((now, message));
        switch (message)
        {
            case RegisterAgent r:
                Registration = r;
                session.Send(new AgentRegistered(r.Node, r.Incarnation, "fake"));
                session.Send(Info);
                break;
            case GrantRequest g when Confirming && Current is { } c && g.Term == c.Term && g.Incarnation == c.Incarnation:
                LastConfirmedRequestMono = now;
                session.Send(new Renewed(g.Node, g.Incarnation, g.Term, c.Ttl, g.RequestId, ["r1", "r2"]));
                break;
            case Renew rn when Confirming && Current is { } c && rn.Term == c.Term && rn.Incarnation == c.Incarnation:
                LastConfirmedRequestMono = now;
                session.Send(new Renewed(rn.Node, rn.Incarnation, rn.Term, c.Ttl, rn.RequestId, ["r1", "r2"]));
                break;
            case HandoverRequest h when RevokeOnHandover:
                session.Send(new Revoke(h.PoolId, h.Node, h.Incarnation, h.Term, true, "handover requested"));
                break;
            case NodeStatusReport s:
                LastStatus = s;
                break;
        }
    }

    public void OnDisconnected(IAgentSession session, string reason)
    {
        if (ReferenceEquals(_session, session)) _session = null;
    }

    public void Send(IAgentProtocolMessage m) => (_session ?? throw new InvalidOperationException("no agent connected")).Send(m);

    public Grant Grant(TimeSpan ttl)
    {
        var r = Registration ?? throw new InvalidOperationException("no agent registered");
        var g = new Grant(r.PoolId, r.Node, r.Incarnation, new TermId(Interlocked.Increment(ref _termCounter), "fake"), ttl,
            TimeSpan.Zero, "test");
        Current = g;
        Send(g);
        return g;
    }

    public void Revoke(bool planned = false)
    {
        var g = Current ?? throw new InvalidOperationException("nothing granted");
        Send(new Revoke(g.PoolId, g.Holder, g.Incarnation, g.Term, planned, "test revoke"));
    }

    public T? Last<T>() where T : class, IAgentProtocolMessage =>
        Received.Select(r => r.Message).OfType<T>().LastOrDefault();

    public long? ArrivalOf<T>(Func<T, bool> match) where T : IAgentProtocolMessage =>
        Received.Where(r => r.Message is T t && match(t)).Select(r => (long?)r.Mono).FirstOrDefault();

    public ValueTask DisposeAsync() => _server.DisposeAsync();
}
