using System.Collections.Immutable;
using System.Threading.Channels;
using Forge.NodeAgent.Config;
using Forge.NodeAgent.Core;
using Forge.NodeAgent.Logging;
using Forge.NodeAgent.Native;
using Forge.NodeAgent.Runtime;
using Forge.Protocol;
using Forge.Transport;

namespace Forge.NodeAgent.Lease;

/// <summary>
/// Single-cluster mode (ENABLE_CLUSTER_MANAGEMENT=false, the guide's emergency recovery): the region's agents elect a
/// leader through a Lease, and the leader's elector plays the coordinator's part in the same protocol, so the decider
/// and the fence work exactly as in cluster mode:
/// <list type="bullet">
/// <item>winning the Lease → <see cref="Grant"/> (TTL = lease duration; activation delay = one grant TTL + margin
/// after entering the mode, so a region that just left cluster mode cannot overlap its last grant);</item>
/// <item>each GrantRequest/Renew → one Lease renewal written after the request was sent → <see cref="Renewed"/>. A rival
/// takes over no earlier than lease duration after it observes that write, so the agent's permission (request send
/// time + duration − margin − disable bound) ends first;</item>
/// <item>renewals failing past the renew deadline, or another holder seen → <see cref="Revoke"/>;
/// <see cref="Released"/> (sent only once verified off) clears the holder so a successor starts at once.</item>
/// </list>
/// Hook for the coordinator issue: when the grant quorum is reachable a standalone region should first take an ordinary
/// grant there (a term whose wait TTL is at least the lease duration) and renew it alongside the Lease. That is
/// coordinator-side work; until it exists this mode bypasses the global guarantee, as the operator accepts (README).
/// </summary>
internal sealed class LeaseGrantSource : IGrantSource
{
    private readonly ILeaseStore _store;
    private readonly LeaseSettings _lease;
    private readonly AgentSettings _settings;
    private readonly Guid _incarnation;
    private readonly string _me;
    private readonly JsonLog _log;
    private readonly Channel<LinkEvent> _events = Channel.CreateUnbounded<LinkEvent>();
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly CancellationTokenSource _stop = new();
    private readonly long _enteredAt = LinuxNative.BoottimeNanoseconds();
    private LeaseObservation? _observed;
    private TermId _term = TermId.None;
    private long _lastRenewOk;
    private Task? _loop;

    public LeaseGrantSource(ILeaseStore store, AgentSettings settings, Guid incarnation, JsonLog log)
    {
        _store = store;
        _settings = settings;
        _lease = settings.Lease ?? throw new InvalidOperationException("single-cluster mode needs lease settings");
        _incarnation = incarnation;
        // the incarnation makes a restarted agent a new candidate: it never inherits its predecessor's leadership
        _me = $"{settings.Node}#{incarnation.ToString("N")[..8]}";
        _log = log;
    }

    public static Task<IGrantSource> CreateAsync(AgentSettings settings, Guid incarnation, JsonLog log)
    {
        var lease = settings.Lease!;
        var store = KubernetesLeaseStore.Create(lease.ApiUrl, lease.Name, lease.Namespace,
            lease.RetryPeriod < TimeSpan.FromSeconds(2) ? lease.RetryPeriod : TimeSpan.FromSeconds(2));
        return Task.FromResult<IGrantSource>(new LeaseGrantSource(store, settings, incarnation, log));
    }

    public ChannelReader<LinkEvent> Events => _events.Reader;

    public bool IsLeader => !_term.IsNone;

    public void Start()
    {
        _log.Warn("single-cluster mode: Lease election; the global one-forger guarantee is bypassed",
            ("lease", $"{_lease.Namespace}/{_lease.Name}"), ("identity", _me));
        _loop ??= Task.Run(() => RunAsync(_stop.Token));
    }

    /// <summary>No registration in this mode (nothing refuses one).</summary>
    public void Reregister() { }

    public bool Send(IAgentProtocolMessage message)
    {
        switch (message)
        {
            case GrantRequest r when r.Term == _term:
                _ = Task.Run(() => ConfirmAsync(r.Term, r.RequestId, _stop.Token));
                return true;
            case Renew r when r.Term == _term:
                _ = Task.Run(() => ConfirmAsync(r.Term, r.RequestId, _stop.Token));
                return true;
            case GrantRequest or Renew:
                var (term, id) = message is GrantRequest g ? (g.Term, g.RequestId) : (((Renew)message).Term, ((Renew)message).RequestId);
                Deliver(new RenewRefused(_settings.Node, _incarnation, term, id, "not the Lease holder for this term"));
                return true;
            case Released rel:
                _ = Task.Run(() => ReleaseAsync(rel.Term, _stop.Token));
                return true;
            case HandoverRequest h when h.Term == _term:
                // no one to coordinate with: stop at once; the Lease is cleared once the node is verified off
                Deliver(new Revoke(_settings.PoolId, _settings.Node, _incarnation, h.Term, true, "agent shutting down"));
                return true;
            default:
                return true; // status reports have no reader in this mode
        }
    }

    private async Task RunAsync(CancellationToken ct)
    {
        using var timer = new PeriodicTimer(_lease.RetryPeriod);
        try
        {
            do
            {
                await _gate.WaitAsync(ct);
                try
                {
                    if (IsLeader) await RenewAsync(ct);
                    else await TryAcquireAsync(ct);
                }
                catch (LeaseStoreException e)
                {
                    _log.Warn("lease API call failed", ("detail", e.Message));
                    StepDownIfLate();
                }
                finally
                {
                    _gate.Release();
                }
            } while (await timer.WaitForNextTickAsync(ct));
        }
        catch (OperationCanceledException)
        {
            // stopping
        }
    }

    private async Task TryAcquireAsync(CancellationToken ct)
    {
        var now = LinuxNative.BoottimeNanoseconds();
        var record = await _store.GetAsync(ct);
        LeaseRecord? mine;
        if (record is null)
        {
            mine = await _store.CreateAsync(_me, _lease.Duration, ct);
        }
        else
        {
            _observed = LeaseRules.Observe(_observed, record, now);
            if (!LeaseRules.MayTake(_observed, _me, now, PermissionRule.Ns(_lease.Duration))) return;
            mine = await _store.UpdateAsync(record, _me, record.Holder != _me, _lease.Duration, ct);
        }
        if (mine is null || mine.Holder != _me) return;
        _lastRenewOk = now;
        _observed = new LeaseObservation(mine.Holder, mine.RenewTime, now);
        _term = new TermId(mine.Transitions + 1, "lease:" + _lease.Name);
        var wait = _enteredAt + PermissionRule.Ns(_lease.StandaloneTtl + _settings.Timings.Margin) - now;
        _log.Info("lease acquired", ("term", _term.ToString()), ("activationMs", Math.Max(0, wait) / 1_000_000));
        Deliver(new Grant(_settings.PoolId, _settings.Node, _incarnation, _term, _lease.Duration,
            TimeSpan.FromTicks(Math.Max(0, wait) / 100), "single-cluster Lease"));
    }

    /// <summary>Background renewal (client-go's retry period), holding leadership between the agent's requests.</summary>
    private async Task RenewAsync(CancellationToken ct)
    {
        if (!await WriteRenewalAsync(ct)) StepDownIfLate();
    }

    private async Task<bool> WriteRenewalAsync(CancellationToken ct)
    {
        var now = LinuxNative.BoottimeNanoseconds();
        var record = await _store.GetAsync(ct);
        if (record is null || record.Holder != _me)
        {
            LoseLeadership(record is null ? "lease deleted" : $"lease now held by {record.Holder}");
            return false;
        }
        var written = await _store.UpdateAsync(record, _me, false, _lease.Duration, ct);
        if (written is null) return false;
        _lastRenewOk = now;
        _observed = new LeaseObservation(written.Holder, written.RenewTime, now);
        return true;
    }

    /// <summary>One renewal written after the agent's request was sent; it answers that request.</summary>
    private async Task ConfirmAsync(TermId term, long requestId, CancellationToken ct)
    {
        var ok = false;
        try
        {
            await _gate.WaitAsync(ct);
            try
            {
                ok = term == _term && await WriteRenewalAsync(ct);
            }
            finally
            {
                _gate.Release();
            }
        }
        catch (LeaseStoreException e)
        {
            _log.Warn("lease renewal failed", ("detail", e.Message));
        }
        catch (OperationCanceledException)
        {
            return;
        }
        Deliver(ok
            ? new Renewed(_settings.Node, _incarnation, term, _lease.Duration, requestId, ImmutableArray.Create("lease"))
            : new RenewRefused(_settings.Node, _incarnation, term, requestId, "lease renewal failed"));
    }

    private async Task ReleaseAsync(TermId term, CancellationToken ct)
    {
        try
        {
            await _gate.WaitAsync(ct);
            try
            {
                if (term != _term && !_term.IsNone) return;
                _term = TermId.None;
                if (await _store.GetAsync(ct) is { } record && record.Holder == _me)
                    await _store.UpdateAsync(record, "", true, _lease.Duration, ct);
                _log.Info("lease released", ("term", term.ToString()));
            }
            finally
            {
                _gate.Release();
            }
        }
        catch (Exception e) when (e is LeaseStoreException or OperationCanceledException)
        {
            // the Lease expires on its own
        }
    }

    private void StepDownIfLate()
    {
        if (IsLeader && LeaseRules.MustStepDown(_lastRenewOk, LinuxNative.BoottimeNanoseconds(), PermissionRule.Ns(_lease.RenewDeadline)))
            LoseLeadership("renew deadline passed");
    }

    private void LoseLeadership(string why)
    {
        if (!IsLeader) return;
        _log.Warn("lease lost", ("term", _term.ToString()), ("detail", why));
        Deliver(new Revoke(_settings.PoolId, _settings.Node, _incarnation, _term, false, "lease lost: " + why));
        _term = TermId.None;
    }

    private void Deliver(IAgentProtocolMessage m) => _events.Writer.TryWrite(new LinkEvent.Received(m));

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        if (_loop is not null)
        {
            try
            {
                await _loop;
            }
            catch (OperationCanceledException)
            {
                // stopped
            }
        }
        _stop.Dispose();
    }
}
