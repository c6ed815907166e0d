using System.Collections.Immutable;
using System.Threading.Channels;
using Forge.NodeAgent.Config;
using Forge.NodeAgent.Core;
using Forge.NodeAgent.Logging;
using Forge.Native;
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
/// The grant quorum (issue 3's standalone regions), when COORDINATORS are configured: after winning the Lease and
/// before its Grant, the leader asks the quorum for a standalone term (<see cref="IStandaloneQuorum"/>), which holds
/// every other region off. Granted → the decider gets that term, and each request is confirmed only when the Lease
/// renewal AND the quorum's answer to that very request both succeeded (<see cref="StandaloneConfirmation"/>).
/// Refused (a live term holds the pool) → no Grant, an alarm, asked again each retry period. No answer within
/// <see cref="LeaseSettings.QuorumTimeout"/> → the Lease alone, as without coordinators, with an alarm saying the global
/// guarantee is bypassed (unless STANDALONE_REQUIRE_QUORUM). A release or a lost Lease ends the quorum term too.
/// </summary>
internal sealed class LeaseGrantSource : IGrantSource
{
    private readonly ILeaseStore _store;
    private readonly IStandaloneQuorum? _quorum;
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
    /// <summary>The term the decider holds: the quorum's standalone term, or the Lease's own on a Lease-only footing.</summary>
    private TermId _term = TermId.None;
    /// <summary>This leadership (from the Lease's transitions); none while not leader.</summary>
    private TermId _leaseTerm = TermId.None;
    private TermId _quorumTerm = TermId.None;
    /// <summary>The decider's term under which <see cref="_quorumTerm"/> is held: the same term when the leadership
    /// started on the quorum; the Lease-only term when a re-probe moved the leader onto the quorum (the decider keeps
    /// its term, so the node keeps forging across the switch).</summary>
    private TermId _quorumFor = TermId.None;
    /// <summary>A re-probe's term applies from its activation point; until then confirmations stay Lease-only.</summary>
    private long _quorumActiveAt;
    /// <summary>The quorum has confirmed a request renamed to its term (the first one goes out as a GrantRequest).</summary>
    private bool _quorumRequested;
    private long _lastReprobeAt = long.MinValue / 4;
    private readonly object _footingLock = new();
    /// <summary>The highest term handed to the decider: every later one must be above it (the decider ignores terms it
    /// has already ended), whether it comes from the Lease or the quorum.</summary>
    private TermId _handedUpTo = TermId.None;
    private StandaloneFooting _footing = StandaloneFooting.LeaseOnly;
    private Task? _attempt;
    private long _lastAttemptAt = long.MinValue / 4;
    private string? _lastQuorumProblem;
    private long _lastRenewOk;
    private Task? _loop;

    public LeaseGrantSource(ILeaseStore store, AgentSettings settings, Guid incarnation, JsonLog log, IStandaloneQuorum? quorum = null)
    {
        _store = store;
        _quorum = quorum;
        _settings = settings;
        _lease = settings.Lease ?? throw new InvalidOperationException("single-cluster mode needs lease settings");
        _incarnation = incarnation;
        // the incarnation makes a restarted agent a new candidate: it never inherits its predecessor's leadership
        _me = $"{settings.Node}#{incarnation.ToString("N")[..8]}";
        _log = log;
    }

    /// <param name="registration">The link's registration (COORDINATORS configured), or null for the Lease alone.</param>
    public static Task<IGrantSource> CreateAsync(AgentSettings settings, Guid incarnation, JsonLog log, Func<RegisterAgent>? registration)
    {
        var lease = settings.Lease!;
        var store = KubernetesLeaseStore.Create(lease.ApiUrl, lease.Name, lease.Namespace,
            lease.RetryPeriod < TimeSpan.FromSeconds(2) ? lease.RetryPeriod : TimeSpan.FromSeconds(2));
        var quorum = registration is not null && settings.Coordinators.Count > 0 && settings.Tls is not null
            ? new LinkStandaloneQuorum(new AgentLink(settings.Coordinators, settings.Tls, registration, log: m => log.Warn(m)),
                settings.PoolId, settings.Node, settings.Region, incarnation, log)
            : null;
        return Task.FromResult<IGrantSource>(new LeaseGrantSource(store, settings, incarnation, log, quorum));
    }

    public ChannelReader<LinkEvent> Events => _events.Reader;

    public bool IsLeader => !_leaseTerm.IsNone;

    /// <summary>"quorum" (a standalone term on the grant quorum), "lease-only" (the operator's exception to S1),
    /// "lease-only, moving onto the quorum" (a re-probe's term before its activation), or "none" (not the leader, or no
    /// term yet).</summary>
    public string Footing
    {
        get
        {
            lock (_footingLock)
            {
                if (_leaseTerm.IsNone || _term.IsNone) return "none";
                if (_footing == StandaloneFooting.Quorum) return "quorum";
                return _quorumTerm.IsNone ? "lease-only" : "lease-only, moving onto the quorum";
            }
        }
    }

    public void Start()
    {
        if (_quorum is null)
            _log.Warn("single-cluster mode: Lease election without coordinators; the global one-forger guarantee is bypassed",
                ("lease", $"{_lease.Namespace}/{_lease.Name}"), ("identity", _me));
        else
        {
            _log.Warn("single-cluster mode: Lease election; the leader takes a standalone term on the grant quorum first",
                ("lease", $"{_lease.Namespace}/{_lease.Name}"), ("identity", _me));
            _quorum.Revoked += OnRevoked;
            _quorum.Start();
        }
        _loop ??= Task.Run(() => RunAsync(_stop.Token));
    }

    /// <summary>No registration in this mode (nothing refuses one).</summary>
    public void Reregister() { }

    public bool Send(IAgentProtocolMessage message)
    {
        switch (message)
        {
            case GrantRequest r when r.Term == _term && !_term.IsNone:
                _ = Task.Run(() => ConfirmAsync(r, r.Term, r.RequestId, _stop.Token));
                return true;
            case Renew r when r.Term == _term && !_term.IsNone:
                _ = Task.Run(() => ConfirmAsync(r, r.Term, r.RequestId, _stop.Token));
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
                    if (IsLeader && _term.IsNone) StartQuorumAttempt(ct);
                    else if (IsLeader && _footing == StandaloneFooting.LeaseOnly && _quorum is not null && _quorumTerm.IsNone)
                        StartReprobe(ct);
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
        _leaseTerm = new TermId(mine.Transitions + 1, "lease:" + _lease.Name);
        _log.Info("lease acquired", ("leaseTerm", _leaseTerm.ToString()));
    }

    /// <summary>The leader without a Grant yet: ask the quorum (in the background: the Lease keeps being renewed), or
    /// go Lease-only at once when no coordinators are configured. Called under the gate.</summary>
    private void StartQuorumAttempt(CancellationToken ct)
    {
        if (_quorum is null)
        {
            GrantOnLease("no coordinators configured (COORDINATORS unset)");
            return;
        }
        var now = LinuxNative.BoottimeNanoseconds();
        if (_attempt is { IsCompleted: false } || now - _lastAttemptAt < PermissionRule.Ns(_lease.RetryPeriod)) return;
        _lastAttemptAt = now;
        var leadership = _leaseTerm;
        var above = _handedUpTo;
        _attempt = Task.Run(async () =>
        {
            var answer = await _quorum.RequestTermAsync(_lease.Duration, above, _lease.QuorumTimeout, ct);
            await _gate.WaitAsync(ct);
            try
            {
                OnQuorumAnswer(leadership, answer);
            }
            finally
            {
                _gate.Release();
            }
        }, ct);
    }

    private void OnQuorumAnswer(TermId leadership, QuorumTermAnswer answer)
    {
        if (leadership != _leaseTerm || !_term.IsNone || answer is QuorumTermAnswer.Granted { Grant.Term: var t } && t <= _handedUpTo)
        {
            // leadership lost or already granted meanwhile, or a term not above one the decider held (it would ignore
            // it): a term granted now was never used, give it back
            if (answer is QuorumTermAnswer.Granted stale)
                _quorum!.Send(new Released(_settings.PoolId, _settings.Node, _incarnation, stale.Grant.Term, "lease lost before use"));
            return;
        }
        switch (answer)
        {
            case QuorumTermAnswer.Granted { Grant: var g }:
                _lastQuorumProblem = null;
                (_quorumTerm, _quorumFor, _term, _footing) = (g.Term, g.Term, g.Term, StandaloneFooting.Quorum);
                _log.Warn("standalone term granted on the grant quorum: every other region is held off while this region forges",
                    ("term", g.Term.ToString()), ("ttlMs", (long)g.Ttl.TotalMilliseconds));
                DeliverGrant(g.Term, g.Ttl < _lease.Duration ? g.Ttl : _lease.Duration, g.ActivationDelay, "single-cluster Lease + standalone term");
                break;
            case QuorumTermAnswer.Refused r:
                AlarmOnce($"grant quorum refused a standalone term ({r.Cause}{(r.HeldBy.IsNone ? "" : $", held by {r.HeldBy}")}): {r.Reason}",
                    "not forging; asking again every lease retry period");
                break;
            case QuorumTermAnswer.Unreachable u when _lease.RequireQuorum:
                AlarmOnce("grant quorum unreachable: " + u.Reason, "not forging (STANDALONE_REQUIRE_QUORUM=true)");
                break;
            case QuorumTermAnswer.Unreachable u:
                GrantOnLease("grant quorum unreachable: " + u.Reason);
                break;
        }
    }

    /// <summary>A Lease-only leader asks the quorum again every <see cref="LeaseSettings.QuorumReprobe"/> (in the
    /// background, as the first attempt). Called under the gate.</summary>
    private void StartReprobe(CancellationToken ct)
    {
        var now = LinuxNative.BoottimeNanoseconds();
        if (_attempt is { IsCompleted: false } || now - _lastReprobeAt < PermissionRule.Ns(_lease.QuorumReprobe)) return;
        _lastReprobeAt = now;
        var (leadership, term, above) = (_leaseTerm, _term, _handedUpTo);
        _attempt = Task.Run(async () =>
        {
            var answer = await _quorum!.RequestTermAsync(_lease.Duration, above, _lease.QuorumTimeout, ct);
            await _gate.WaitAsync(ct);
            try
            {
                OnReprobeAnswer(leadership, term, answer);
            }
            finally
            {
                _gate.Release();
            }
        }, ct);
    }

    /// <summary>
    /// Granted: the leader takes the quorum's term under its decider term; from the term's activation point every
    /// request needs the Lease AND the quorum (<see cref="QuorumStep"/>). The node keeps forging on the Lease-only
    /// permission until the first combined confirmation replaces it: that permission was the operator's accepted
    /// exception, and the quorum granted only once no other term could still forge. Refused: another term holds the pool
    /// on the quorum, so forging on the Lease alone would knowingly be a second forger: stop, as a leader refused at the
    /// start would not forge. Unreachable: still Lease-only, asked again later.
    /// </summary>
    private void OnReprobeAnswer(TermId leadership, TermId term, QuorumTermAnswer answer)
    {
        if (leadership != _leaseTerm || term != _term || _footing != StandaloneFooting.LeaseOnly || !_quorumTerm.IsNone
            || answer is QuorumTermAnswer.Granted { Grant.Term: var t } && t <= _handedUpTo)
        {
            if (answer is QuorumTermAnswer.Granted stale)
                _quorum!.Send(new Released(_settings.PoolId, _settings.Node, _incarnation, stale.Grant.Term, "lease-only term ended before use"));
            return;
        }
        switch (answer)
        {
            case QuorumTermAnswer.Granted { Grant: var g }:
                _handedUpTo = g.Term;
                lock (_footingLock)
                    (_quorumTerm, _quorumFor, _quorumActiveAt, _quorumRequested) =
                        (g.Term, _term, LinuxNative.BoottimeNanoseconds() + PermissionRule.Ns(g.ActivationDelay), false);
                _log.Warn("standalone term granted on the grant quorum after forging on the Lease alone: moving onto the quorum footing",
                    ("term", _term.ToString()), ("quorumTerm", g.Term.ToString()), ("activationMs", (long)g.ActivationDelay.TotalMilliseconds));
                break;
            case QuorumTermAnswer.Refused r:
                _log.Error("alarm: standalone-no-term: the grant quorum is reachable again and refuses a standalone term while this " +
                    "region forges on the Lease alone: stopping", ("detail", $"{r.Cause}{(r.HeldBy.IsNone ? "" : $", held by {r.HeldBy}")}: {r.Reason}"));
                Deliver(new Revoke(_settings.PoolId, _settings.Node, _incarnation, _term, false, "grant quorum refuses a standalone term: " + r.Reason));
                break;
            case QuorumTermAnswer.Unreachable u:
                _log.Info("standalone: grant quorum still unreachable; forging on the Lease alone", ("detail", u.Reason));
                break;
        }
    }

    /// <summary>The footing a request is confirmed on and what goes to the quorum: the request as is when the decider
    /// holds the quorum's term; renamed to the quorum's term after a re-probe moved the leader onto it (its first a
    /// GrantRequest, as the decider's first is); nothing on the Lease-only footing.</summary>
    private (StandaloneFooting Footing, IAgentProtocolMessage QuorumRequest, TermId QuorumTerm) QuorumStep(IAgentProtocolMessage request,
        TermId term, long requestId)
    {
        lock (_footingLock)
        {
            if (_footing == StandaloneFooting.LeaseOnly && !_quorumTerm.IsNone && _quorumFor == term && term == _term
                && LinuxNative.BoottimeNanoseconds() >= _quorumActiveAt)
            {
                _footing = StandaloneFooting.Quorum;
                _log.Warn("standalone: on the grant quorum footing now: every other region is held off; the Lease-only exception ended",
                    ("term", term.ToString()), ("quorumTerm", _quorumTerm.ToString()));
            }
            if (_footing != StandaloneFooting.Quorum || _quorumFor != term) return (StandaloneFooting.LeaseOnly, request, term);
            if (_quorumTerm == term) return (StandaloneFooting.Quorum, request, term);
            IAgentProtocolMessage renamed = _quorumRequested
                ? new Renew(_settings.PoolId, _settings.Node, _incarnation, _quorumTerm, requestId)
                : new GrantRequest(_settings.PoolId, _settings.Node, _incarnation, _quorumTerm, requestId);
            return (StandaloneFooting.Quorum, renamed, _quorumTerm);
        }
    }

    /// <summary>Lease-only footing: the mode as it was before standalone terms, an exception to S1.</summary>
    private void GrantOnLease(string why)
    {
        _lastQuorumProblem = null;
        _lastReprobeAt = LinuxNative.BoottimeNanoseconds();
        (_term, _footing) = (new TermId(Math.Max(_leaseTerm.Counter, _handedUpTo.Counter + 1), _leaseTerm.ProposerId), StandaloneFooting.LeaseOnly);
        _log.Error("alarm: standalone-lease-only: forging on the Lease alone; the global one-forger guarantee is bypassed " +
            "(nothing stops another region from forging)", ("detail", why), ("term", _term.ToString()));
        DeliverGrant(_term, _lease.Duration, TimeSpan.Zero, "single-cluster Lease (no grant quorum)");
    }

    /// <summary>Entering the mode waits one grant TTL + margin (a region that just left cluster mode cannot overlap its
    /// last grant); a quorum term may ask for longer.</summary>
    private void DeliverGrant(TermId term, TimeSpan ttl, TimeSpan quorumActivation, string reason)
    {
        if (term > _handedUpTo) _handedUpTo = term;
        var now = LinuxNative.BoottimeNanoseconds();
        var wait = Math.Max(Math.Max(0, _enteredAt + PermissionRule.Ns(_lease.StandaloneTtl + _settings.Timings.Margin) - now),
            PermissionRule.Ns(quorumActivation));
        _log.Info("lease grant", ("term", term.ToString()), ("footing", _footing.ToString()), ("activationMs", wait / 1_000_000));
        Deliver(new Grant(_settings.PoolId, _settings.Node, _incarnation, term, ttl, TimeSpan.FromTicks(wait / 100), reason));
    }

    private void AlarmOnce(string problem, string consequence)
    {
        if (problem == _lastQuorumProblem) return;
        _lastQuorumProblem = problem;
        _log.Error("alarm: standalone-no-term: " + consequence, ("detail", problem));
    }

    /// <summary>A coordinator revoked the quorum term: stop (the decider releases, which ends the Lease too).</summary>
    private void OnRevoked(Revoke r)
    {
        if (r.Term == _quorumTerm && !_quorumTerm.IsNone) Deliver(r with { Term = _quorumFor });
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

    /// <summary>One Lease renewal written after the agent's request was sent and, on a quorum footing, the quorum's
    /// answer to that same request (sent first, so both follow the request): together they answer it.</summary>
    private async Task ConfirmAsync(IAgentProtocolMessage request, TermId term, long requestId, CancellationToken ct)
    {
        var ok = false;
        var (footing, quorumRequest, quorumTerm) = QuorumStep(request, term, requestId);
        var quorum = footing == StandaloneFooting.Quorum && _quorum is not null
            ? _quorum.ConfirmAsync(quorumRequest, _lease.QuorumTimeout, ct)
            : Task.FromResult<IAgentProtocolMessage?>(null);
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
        IAgentProtocolMessage? answer;
        try
        {
            answer = await quorum;
        }
        catch (OperationCanceledException)
        {
            return;
        }
        if (answer is Renewed && quorumTerm != term)
            lock (_footingLock)
                _quorumRequested |= _quorumTerm == quorumTerm;
        Deliver(StandaloneConfirmation.Combine(_settings.Node, _incarnation, term, requestId, _lease.Duration, ok, footing, answer,
            _lease.QuorumTimeout, quorumTerm));
    }

    private async Task ReleaseAsync(TermId term, CancellationToken ct)
    {
        try
        {
            await _gate.WaitAsync(ct);
            try
            {
                if (term != _term && !_term.IsNone) return; // an older term's late release while a newer one is held
                if (!_quorumTerm.IsNone && term == _quorumFor)
                    _quorum?.Send(new Released(_settings.PoolId, _settings.Node, _incarnation, _quorumTerm, "standalone region released"));
                if (_term.IsNone && IsLeader)
                {
                    // an earlier leadership's release: the current one (no Grant yet) keeps the Lease
                    if (term == _quorumFor) (_quorumTerm, _quorumFor) = (TermId.None, TermId.None);
                    return;
                }
                EndLeadership();
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
        // the decider stops and sends Released for its term, which releases the quorum term (if any) as well; a
        // leadership that never got a Grant has nothing to stop
        if (!_term.IsNone) Deliver(new Revoke(_settings.PoolId, _settings.Node, _incarnation, _term, false, "lease lost: " + why));
        var (quorumTerm, quorumFor) = (_quorumTerm, _quorumFor);
        EndLeadership();
        (_quorumTerm, _quorumFor) = (quorumTerm, quorumFor); // kept until the decider's Released names it
    }

    private void EndLeadership()
    {
        lock (_footingLock)
        {
            (_term, _leaseTerm, _quorumTerm, _footing) = (TermId.None, TermId.None, TermId.None, StandaloneFooting.LeaseOnly);
            (_quorumFor, _quorumActiveAt, _quorumRequested) = (TermId.None, 0, false);
        }
        _lastQuorumProblem = null;
    }

    private void Deliver(IAgentProtocolMessage m) => _events.Writer.TryWrite(new LinkEvent.Received(m));

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        if (_quorum is not null) await _quorum.DisposeAsync();
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
