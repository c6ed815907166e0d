using System.Collections.Concurrent;
using Forge.NodeAgent.Logging;
using Forge.Protocol;
using Forge.Transport;

namespace Forge.NodeAgent.Lease;

/// <summary>The grant quorum's answer to a standalone region's request for a term.</summary>
internal abstract record QuorumTermAnswer
{
    private QuorumTermAnswer() { }

    /// <summary>A term for this incarnation (not yet permission: its GrantRequest/Renew are confirmed as usual).</summary>
    public sealed record Granted(Grant Grant) : QuorumTermAnswer;

    /// <summary>The quorum answered no (a live term holds the pool, or the request is invalid): do not forge.</summary>
    public sealed record Refused(StandaloneRefusal Cause, TermId HeldBy, string Reason) : QuorumTermAnswer;

    /// <summary>No answer in time (no link, no registration answer, no majority, a revision-1 coordinator).</summary>
    public sealed record Unreachable(string Reason) : QuorumTermAnswer;
}

/// <summary>The standalone region's door to the grant quorum (through any coordinator of the pool).</summary>
internal interface IStandaloneQuorum : IAsyncDisposable
{
    void Start();

    /// <summary>Asks for a standalone term above <paramref name="above"/> with the Lease duration as TTL; answers within
    /// <paramref name="within"/>.</summary>
    Task<QuorumTermAnswer> RequestTermAsync(TimeSpan leaseDuration, TermId above, TimeSpan within, CancellationToken ct);

    /// <summary>Sends the decider's GrantRequest/Renew as is and returns the quorum's Renewed/RenewRefused for its
    /// request id, or null when none arrived within <paramref name="within"/>.</summary>
    Task<IAgentProtocolMessage?> ConfirmAsync(IAgentProtocolMessage request, TimeSpan within, CancellationToken ct);

    /// <summary>Fire and forget (Released): the replicas learn the verified release.</summary>
    void Send(IAgentProtocolMessage message);

    /// <summary>A coordinator revoked a term (stopping is always safe: the elector passes it on for its own term).</summary>
    event Action<Revoke>? Revoked;
}

/// <summary>
/// <see cref="IStandaloneQuorum"/> over the agent's mutual-TLS link (the same COORDINATORS and TLS_* as cluster mode).
/// The link registers this incarnation (mode SingleCluster) on every connection; a standalone request goes out only to a
/// coordinator whose <see cref="AgentRegistered"/> announced protocol revision 2 or more. Nothing from the link reaches
/// the decider directly: Grants and registration answers are the elector's to interpret.
/// </summary>
internal sealed class LinkStandaloneQuorum : IStandaloneQuorum
{
    private readonly AgentLink _link;
    private readonly string _poolId;
    private readonly NodeId _node;
    private readonly string _region;
    private readonly Guid _incarnation;
    private readonly JsonLog _log;
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentDictionary<long, TaskCompletionSource<IAgentProtocolMessage>> _confirms = new();
    private readonly object _gate = new();
    private TaskCompletionSource<QuorumTermAnswer>? _term;
    private long _termRequestId;
    private long _nextId = DateTime.UtcNow.Ticks; // unique per incarnation, apart from the decider's small ids
    private volatile AgentRegistered? _registered;
    private volatile string? _refused;
    private Task? _pump;

    public LinkStandaloneQuorum(AgentLink link, string poolId, NodeId node, string region, Guid incarnation, JsonLog log) =>
        (_link, _poolId, _node, _region, _incarnation, _log) = (link, poolId, node, region, incarnation, log);

    public event Action<Revoke>? Revoked;

    public void Start()
    {
        _link.Start();
        _pump ??= Task.Run(() => PumpAsync(_stop.Token));
    }

    public async Task<QuorumTermAnswer> RequestTermAsync(TimeSpan leaseDuration, TermId above, TimeSpan within, CancellationToken ct)
    {
        using var bounded = CancellationTokenSource.CreateLinkedTokenSource(ct, _stop.Token);
        bounded.CancelAfter(within);
        try
        {
            // registration answered on the current link (polled: it changes at most once per connection)
            while (_registered is null)
            {
                if (_refused is { } why)
                {
                    _link.Reregister(); // the next attempt may find the cause gone
                    return new QuorumTermAnswer.Refused(StandaloneRefusal.Invalid, TermId.None, "registration refused: " + why);
                }
                await Task.Delay(TimeSpan.FromMilliseconds(20), bounded.Token);
            }
            if (_registered.Revision < 2)
                return new QuorumTermAnswer.Unreachable($"coordinator {_registered.CoordinatorId} speaks protocol revision " +
                    $"{_registered.Revision}: it cannot grant standalone terms");
            TaskCompletionSource<QuorumTermAnswer> answer;
            long id;
            lock (_gate)
            {
                id = ++_nextId;
                _termRequestId = id;
                _term = answer = new TaskCompletionSource<QuorumTermAnswer>(TaskCreationOptions.RunContinuationsAsynchronously);
            }
            if (!_link.Send(new StandaloneTermRequest(_poolId, _node, _region, _incarnation, leaseDuration, id, above)))
                return new QuorumTermAnswer.Unreachable("no coordinator link");
            return await answer.Task.WaitAsync(bounded.Token);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            return new QuorumTermAnswer.Unreachable(_registered is null
                ? $"no coordinator registered this agent within {within.TotalMilliseconds:F0} ms"
                : $"no answer to the standalone request within {within.TotalMilliseconds:F0} ms");
        }
    }

    public async Task<IAgentProtocolMessage?> ConfirmAsync(IAgentProtocolMessage request, TimeSpan within, CancellationToken ct)
    {
        var id = request switch
        {
            GrantRequest g => g.RequestId,
            Renew r => r.RequestId,
            _ => throw new ArgumentException("only GrantRequest and Renew are confirmed", nameof(request)),
        };
        var answer = new TaskCompletionSource<IAgentProtocolMessage>(TaskCreationOptions.RunContinuationsAsynchronously);
        _confirms[id] = answer;
        try
        {
            if (!_link.Send(request)) return null;
            return await answer.Task.WaitAsync(within, ct);
        }
        catch (TimeoutException)
        {
            return null;
        }
        finally
        {
            _confirms.TryRemove(id, out _);
        }
    }

    public void Send(IAgentProtocolMessage message) => _link.Send(message);

    private async Task PumpAsync(CancellationToken ct)
    {
        try
        {
            await foreach (var e in _link.Events.ReadAllAsync(ct))
            {
                switch (e)
                {
                    case LinkEvent.Up up:
                        (_registered, _refused) = (null, null);
                        _log.Info("standalone: coordinator link up", ("coordinator", up.Endpoint.ToString()));
                        break;
                    case LinkEvent.Down down:
                        (_registered, _refused) = (null, null);
                        _log.Warn("standalone: coordinator link down", ("detail", down.Reason));
                        break;
                    case LinkEvent.Received { Message: var m }:
                        OnMessage(m);
                        break;
                }
            }
        }
        catch (OperationCanceledException)
        {
            // stopping
        }
    }

    private void OnMessage(IAgentProtocolMessage m)
    {
        switch (m)
        {
            case AgentRegistered a when a.Incarnation == _incarnation:
                (_registered, _refused) = (a, null);
                break;
            case AgentRefused a when a.Incarnation == _incarnation:
                _refused = a.Reason;
                _log.Error("alarm: standalone: registration refused", ("detail", a.Reason));
                break;
            case Grant g when g.Incarnation == _incarnation && g.Holder == _node:
                if (!Complete(new QuorumTermAnswer.Granted(g), null))
                    _log.Warn("standalone: grant ignored (no standalone request open)", ("term", g.Term.ToString()));
                break;
            case StandaloneTermRefused r when r.Incarnation == _incarnation:
                Complete(r.Cause == StandaloneRefusal.NoMajority
                    ? new QuorumTermAnswer.Unreachable("no majority of replicas: " + r.Reason)
                    : new QuorumTermAnswer.Refused(r.Cause, r.HeldBy, r.Reason), r.RequestId);
                break;
            case Renewed r when r.Incarnation == _incarnation && _confirms.TryGetValue(r.RequestId, out var c):
                c.TrySetResult(r);
                break;
            case RenewRefused r when r.Incarnation == _incarnation && _confirms.TryGetValue(r.RequestId, out var c):
                c.TrySetResult(r);
                break;
            case Revoke r when r.Incarnation == _incarnation:
                Revoked?.Invoke(r);
                break;
        }
    }

    /// <summary>Answers the open standalone request (a refusal only if it names that request's id).</summary>
    private bool Complete(QuorumTermAnswer answer, long? requestId)
    {
        lock (_gate)
        {
            if (_term is null || (requestId is { } id && id != _termRequestId)) return false;
            var done = _term.TrySetResult(answer);
            _term = null;
            return done;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _link.DisposeAsync();
        if (_pump is not null) await _pump;
        _stop.Dispose();
    }
}
