using System.Collections.Immutable;
using System.Globalization;
using Forge.Protocol;

namespace Forge.NodeAgent.Core;

/// <summary>The result of one decision: the next state and the effects to carry out, in order.</summary>
internal sealed record AgentDecision(AgentState State, ImmutableArray<AgentEffect> Effects);

/// <summary>
/// Everything the agent decides, as one pure function of (state, event, now). Safety rules it keeps:
/// forge only on a confirmed answer to this incarnation's own request, until that request's send time + TTL − margin −
/// fence disable bound; renewals that do not arrive in time, a revoke, a refusal or a stalled fence all end in "disable
/// now"; Released goes out only once the fence verified the node off; answers for a released or expired term are
/// ignored; SIGTERM of a forger asks for a planned handover first.
/// </summary>
internal static class AgentDecider
{
    public static AgentDecision Decide(AgentState s, AgentEvent e, long now, AgentRules rules)
    {
        var fx = ImmutableArray.CreateBuilder<AgentEffect>();
        var next = e switch
        {
            AgentEvent.Received r => OnMessage(s, r.Message, now, rules, fx),
            AgentEvent.FenceSeen f => OnFence(s with { Fence = Observe(s.Fence, f.Observation, now) }, now, rules, fx),
            AgentEvent.FenceAlive => s with { Fence = s.Fence with { LastAnswerAt = now } },
            AgentEvent.FenceCommandFailed f => OnFenceCommandFailed(s, f, now, rules, fx),
            AgentEvent.NodeKillResult k => OnKilled(s, k, now, rules, fx),
            AgentEvent.Tick => OnTick(s, now, rules, fx),
            AgentEvent.Shutdown => OnShutdown(s, now, rules, fx),
            AgentEvent.CredentialsChecked c => OnCredentials(s, c, fx),
            AgentEvent.LinkUp u => Log(ReleaseDelivery.OnConnectionChanged(s with { Registered = false, Refused = null }, up: true), fx,
                "info", "coordinator link up", u.Coordinator),
            AgentEvent.LinkDown d => Log(ReleaseDelivery.OnConnectionChanged(s with { Registered = false }, up: false), fx,
                "warn", "coordinator link down", d.Reason),
            _ => s,
        };
        return new AgentDecision(next, fx.ToImmutable());
    }

    // ---- coordinator messages ---------------------------------------------------------------------------------

    private static AgentState OnMessage(AgentState s, IAgentProtocolMessage m, long now, AgentRules r,
        ImmutableArray<AgentEffect>.Builder fx)
    {
        switch (m)
        {
            case AgentRegistered a when a.Incarnation == r.Incarnation:
                fx.Add(new AgentEffect.ReportNow());
                s = Log(s with { Registered = true, Refused = null }, fx, "info", "registered", a.CoordinatorId);
                return ReleaseDelivery.OnRegistrationAnswer(s, registered: true, fx);
            case AgentRefused a when a.Incarnation == r.Incarnation:
                s = ReleaseDelivery.OnRegistrationAnswer(s, registered: false, fx);
                fx.Add(new AgentEffect.Alarm("registration-refused", a.Reason));
                s = s with { Refused = a.Reason, RefusedAt = now, LastAlarm = "registration refused: " + a.Reason };
                return s.Phase is AgentPhase.Requesting or AgentPhase.Holding ? BeginRelease(s, "registration refused", now, fx) : s;
            case Grant g when g.Incarnation == r.Incarnation && g.Holder == r.Node:
                return OnGrant(s, g, now, r, fx);
            case Renewed rn when rn.Incarnation == r.Incarnation:
                return OnRenewed(s, rn, now, r, fx);
            case RenewRefused rr when rr.Incarnation == r.Incarnation && rr.Term == s.Term:
                return Log(s with { Permission = s.Permission.OnRefused(rr) }, fx, "warn", "renewal refused",
                    $"term {rr.Term} request {rr.RequestId}: {rr.Reason}");
            case Revoke rv when rv.Incarnation == r.Incarnation:
                return OnRevoke(s, rv, now, r, fx);
            default:
                return s; // other incarnations' or unknown messages; ClusterInfo is the loop's (metrics only)
        }
    }

    private static AgentState OnGrant(AgentState s, Grant g, long now, AgentRules r, ImmutableArray<AgentEffect>.Builder fx)
    {
        if (g.Term <= s.DeadTerm)
            return Log(s, fx, "info", "grant ignored: term already released or expired", g.Term.ToString());
        if (g.Term <= s.Term && s.Phase is AgentPhase.Requesting or AgentPhase.Holding)
            return s; // duplicate
        s = ReleaseDelivery.Forget(s, g.Term, now, fx);
        if (s.Refused is not null || s.CredentialProblem is not null)
        {
            fx.Add(new AgentEffect.Alarm("grant-not-taken", s.Refused ?? s.CredentialProblem!));
            return s;
        }
        if (s.ShuttingDown || s.Phase == AgentPhase.Releasing)
            return Log(s, fx, "info", "grant ignored while " + (s.ShuttingDown ? "shutting down" : "releasing"), g.Term.ToString());

        // A higher term for this same holder supersedes the old one (GrantPermission drops the old permission), so
        // the fence loses the old deadline at once; the new term is enabled on its own confirmation.
        var superseded = s.Phase == AgentPhase.Holding;
        s = s with
        {
            Phase = AgentPhase.Requesting,
            Term = g.Term,
            TermTtl = g.Ttl,
            Permission = s.Permission.Adopt(g),
            RequestNotBefore = now + r.Ns(g.ActivationDelay),
            LastRequestAt = AgentState.Never,
        };
        if (superseded)
        {
            var id = NextFenceId(s);
            fx.Add(new AgentEffect.FenceDisable(id));
            s = s with { FenceRequest = id, NextId = s.NextId + 1 };
        }
        fx.Add(new AgentEffect.Log("info", "grant received", $"term {g.Term} ttl {g.Ttl.TotalMilliseconds} ms " +
            $"activation in {g.ActivationDelay.TotalMilliseconds} ms: {g.Reason}"));
        return s.RequestNotBefore <= now ? SendRequest(s, now, r, fx) : s;
    }

    private static AgentState OnRenewed(AgentState s, Renewed rn, long now, AgentRules r, ImmutableArray<AgentEffect>.Builder fx)
    {
        if (rn.Term <= s.DeadTerm || rn.Term != s.Term || s.Phase is not (AgentPhase.Requesting or AgentPhase.Holding))
            return Log(s, fx, "info", "confirmation ignored: not for the term held", $"term {rn.Term} request {rn.RequestId}");
        if (!s.Permission.Outstanding.ContainsKey(rn.RequestId))
            return Log(s, fx, "info", "confirmation ignored: not an open request of this incarnation", rn.RequestId.ToString(CultureInfo.InvariantCulture));

        var before = s.PermitUntil;
        s = s with { Permission = s.Permission.OnRenewed(rn) };
        if (s.PermitUntil is not { } permit || permit <= now)
            return Log(s, fx, "warn", "confirmation arrived too late to forge on", $"request {rn.RequestId}");
        if (before is { } current && permit <= current)
            return s; // an older request's answer: the permission already reaches further

        var first = s.Phase == AgentPhase.Requesting;
        var id = "g" + rn.RequestId.ToString(CultureInfo.InvariantCulture);
        fx.Add(new AgentEffect.FenceDeadline(permit, id));
        if (first)
            fx.Add(new AgentEffect.Log("info", "grant confirmed: fence deadline set",
                $"term {s.Term} by {string.Join(",", rn.AcceptedByRegions)}; permission {(permit - now) / 1_000_000} ms"));
        return s with { Phase = AgentPhase.Holding, FenceDeadline = permit, FenceRequest = id };
    }

    private static AgentState OnRevoke(AgentState s, Revoke rv, long now, AgentRules r, ImmutableArray<AgentEffect>.Builder fx)
    {
        if (s.Phase is AgentPhase.Requesting or AgentPhase.Holding && rv.Term >= s.Term)
            return BeginRelease(s, (rv.Planned ? "planned handover: " : "revoked: ") + rv.Reason, now, fx);
        if (s.Phase == AgentPhase.Idle && !s.FenceMayForge)
        {
            // Already released and verified off (the Released may have been lost), or a term whose Grant never
            // arrived: nothing forges here, so the release can be stated at once.
            fx.Add(new AgentEffect.Send(new Released(r.PoolId, r.Node, r.Incarnation, rv.Term, "not forging")));
            return rv.Term > s.DeadTerm ? s with { Permission = s.Permission with { EndedUpTo = rv.Term } } : s;
        }
        return s; // releasing already: Released follows verification
    }

    // ---- fence --------------------------------------------------------------------------------------------------

    private static FenceView Observe(FenceView v, FenceObservation o, long now) => v with
    {
        State = o.State,
        RequestId = o.RequestId ?? v.RequestId,
        NodePid = o.NodePid ?? v.NodePid,
        NodePhase = o.NodePhase ?? v.NodePhase,
        LastSignal = o.LastSignal ?? v.LastSignal,
        Error = o.Error ?? v.Error,
        LastAnswerAt = now,
    };

    private static AgentState OnFence(AgentState s, long now, AgentRules r, ImmutableArray<AgentEffect>.Builder fx)
    {
        if (s.Fence.LastSignal != s.LastSignal)
        {
            if (s.Fence.LastSignal is not (SignalOutcome.None or SignalOutcome.Verified))
                fx.Add(new AgentEffect.Alarm("signal", $"{s.Fence.LastSignal}: {s.Fence.Error ?? "no detail"}"));
            s = s with { LastSignal = s.Fence.LastSignal };
        }
        if (s.Phase == AgentPhase.Releasing && s.Fence.State == VerifiedForging.Off && s.Fence.RequestId == s.FenceRequest)
            return Released(s, now, r, fx, "forging verified off");
        if (s.Phase == AgentPhase.Holding && s.Fence.State == VerifiedForging.Unknown && s.Fence.RequestId == s.FenceRequest)
            fx.Add(new AgentEffect.Alarm("enable-not-verified", s.Fence.Error ?? "fence reports state unknown"));
        if (s.Phase == AgentPhase.Idle && s.FenceDeadline is null && s.Fence.State == VerifiedForging.On)
        {
            // The fence forges without a deadline from this incarnation (a predecessor's): stop it.
            fx.Add(new AgentEffect.Alarm("unexpected-forging", "fence reports forging while this agent holds no term"));
            return BeginRelease(s, "forging without a term", now, fx);
        }
        return s;
    }

    private static AgentState OnFenceCommandFailed(AgentState s, AgentEvent.FenceCommandFailed f, long now, AgentRules r,
        ImmutableArray<AgentEffect>.Builder fx)
    {
        fx.Add(new AgentEffect.Alarm("fence-command", $"{f.RequestId}: {f.Reason}"));
        // A refused DEADLINE leaves the node off (fail closed); a DISABLE that did not arrive is retried on the tick.
        return s with { LastAlarm = $"fence refused {f.RequestId}: {f.Reason}" };
    }

    private static AgentState OnKilled(AgentState s, AgentEvent.NodeKillResult k, long now, AgentRules r,
        ImmutableArray<AgentEffect>.Builder fx)
    {
        s = s with { KillPending = false };
        if (!k.Gone)
        {
            fx.Add(new AgentEffect.Alarm("node-kill-failed", k.Detail));
            return s;
        }
        fx.Add(new AgentEffect.Log("warn", "node killed by the agent (stalled fence)", k.Detail));
        // The node is gone, so it forges nothing; the DISABLE stays queued for the fence should it resume.
        s = s with { Fence = s.Fence with { State = VerifiedForging.Off } };
        return s.Phase == AgentPhase.Releasing ? Released(s, now, r, fx, "node killed") : s;
    }

    // ---- credentials ------------------------------------------------------------------------------------------

    /// <summary>A problem makes the node ineligible for new grants. A forger keeps its term (the node holds installed
    /// copies, and the fence's deadline still bounds it); the alarm tells the operator, the coordinator learns it
    /// at the next registration.</summary>
    private static AgentState OnCredentials(AgentState s, AgentEvent.CredentialsChecked c, ImmutableArray<AgentEffect>.Builder fx)
    {
        if (c.Problem is not null)
            fx.Add(new AgentEffect.Alarm("credentials", c.Problem));
        else
            fx.Add(new AgentEffect.Log(s.CredentialProblem is null ? "warn" : "info",
                s.CredentialProblem is null ? "source credentials changed: the coordinator sees the new fingerprint after a reconnect"
                    : "source credentials valid again", c.Fingerprint));
        return s with { CredentialProblem = c.Problem };
    }

    // ---- time -----------------------------------------------------------------------------------------------------

    private static AgentState OnTick(AgentState s, long now, AgentRules r, ImmutableArray<AgentEffect>.Builder fx)
    {
        var t = r.Timings;
        s = ReleaseDelivery.Forget(s, TermId.None, now, fx);
        if (s.WatchdogArmed && !s.KillPending && now - s.Fence.LastAnswerAt > r.Ns(t.FenceTimeout)
            && now - s.LastKillAt > r.Ns(t.FenceTimeout))
        {
            fx.Add(new AgentEffect.Alarm("fence-stalled",
                $"no answer for {(now - s.Fence.LastAnswerAt) / 1_000_000} ms while it may hold a deadline: killing the node"));
            fx.Add(new AgentEffect.KillNode(s.Fence.NodePid, "fence stalled"));
            s = s with { KillPending = true, LastKillAt = now };
            if (s.Phase is AgentPhase.Requesting or AgentPhase.Holding) s = BeginRelease(s, "fence stalled", now, fx);
        }

        if (s.Refused is not null && !s.ShuttingDown && now - s.RefusedAt >= r.Ns(t.RegistrationRetry))
        {
            // Still ineligible (grants are not taken while refused); ask again in case the cause has gone.
            s = ReleaseDelivery.Reregistered(s, fx) with { RefusedAt = now };
        }

        switch (s.Phase)
        {
            case AgentPhase.Requesting when now >= s.RequestNotBefore + r.Ns(s.TermTtl):
                // Never confirmed for a whole TTL past its activation point: superseded (by a term whose Grant went to
                // another node or was lost with a link) or no quorum. Asking on would be refused forever; a live
                // coordinator grants a new term, and the Released tells it this one is over.
                fx.Add(new AgentEffect.Log("warn", "term abandoned: not confirmed within its TTL after activation",
                    $"term {s.Term} ttl {s.TermTtl.TotalMilliseconds} ms"));
                s = BeginRelease(s, "term not confirmed within its TTL", now, fx);
                break;
            case AgentPhase.Requesting when now >= s.RequestNotBefore && now - s.LastRequestAt >= r.Ns(t.RequestRetry):
                s = SendRequest(s, now, r, fx);
                break;
            case AgentPhase.Holding when s.PermitUntil is { } until && now >= until:
                s = BeginRelease(s, "renewals did not arrive in time", now, fx);
                break;
            case AgentPhase.Holding when now - s.LastRequestAt >= r.Ns(r.RenewInterval(s.Permission.Ttl)):
                s = SendRequest(s, now, r, fx);
                break;
            case AgentPhase.Releasing when now - s.ReleaseStartedAt >= r.Ns(t.FenceTimeout) && s.Fence.State != VerifiedForging.Off:
                // not verified yet: say it again (DISABLE is idempotent), under the same request id
                fx.Add(new AgentEffect.FenceDisable(s.FenceRequest!));
                s = s with { ReleaseStartedAt = now };
                break;
        }

        if (s.ShuttingDown)
        {
            if (s.Phase is AgentPhase.Requesting or AgentPhase.Holding && now >= s.ShutdownDeadline)
                s = BeginRelease(s, "shutting down: no handover revoke in time", now, fx);
            else if (s.Phase == AgentPhase.Idle && !s.FenceMayForge)
                fx.Add(new AgentEffect.Exit(0));
            else if (now >= s.ShutdownDeadline + r.Ns(t.FenceDisableBound) + r.Ns(t.FenceTimeout))
            {
                fx.Add(new AgentEffect.Alarm("shutdown", "node not verified off in time; the fence's deadline still applies"));
                fx.Add(new AgentEffect.Exit(1));
            }
        }
        return s;
    }

    private static AgentState OnShutdown(AgentState s, long now, AgentRules r, ImmutableArray<AgentEffect>.Builder fx)
    {
        if (s.ShuttingDown) return s;
        s = s with { ShuttingDown = true, ShutdownDeadline = now + r.Ns(r.Timings.HandoverTimeout) };
        switch (s.Phase)
        {
            case AgentPhase.Holding:
                fx.Add(new AgentEffect.Send(new HandoverRequest(r.PoolId, r.Node, r.Incarnation, s.Term, "agent shutting down")));
                return Log(s, fx, "info", "shutting down while forging: planned handover requested", s.Term.ToString());
            case AgentPhase.Requesting:
                return BeginRelease(s, "shutting down", now, fx);
            case AgentPhase.Idle when s.FenceMayForge:
                return BeginRelease(s, "shutting down", now, fx);
            case AgentPhase.Idle:
                fx.Add(new AgentEffect.Log("info", "shutting down: not forging"));
                fx.Add(new AgentEffect.Exit(0));
                return s;
            default:
                return Log(s, fx, "info", "shutting down after the release completes");
        }
    }

    // ---- shared steps ------------------------------------------------------------------------------------------

    /// <summary>GrantRequest (first) or Renew; the send time is <paramref name="now"/>, taken before sending.</summary>
    private static AgentState SendRequest(AgentState s, long now, AgentRules r, ImmutableArray<AgentEffect>.Builder fx)
    {
        var id = s.NextId;
        IAgentProtocolMessage msg = s.Phase == AgentPhase.Holding
            ? new Renew(r.PoolId, r.Node, r.Incarnation, s.Term, id)
            : new GrantRequest(r.PoolId, r.Node, r.Incarnation, s.Term, id);
        fx.Add(new AgentEffect.Send(msg));
        return s with { NextId = id + 1, LastRequestAt = now, Permission = s.Permission.RequestSent(id, PermissionRule.At(now)) };
    }

    private static AgentState BeginRelease(AgentState s, string reason, long now, ImmutableArray<AgentEffect>.Builder fx)
    {
        var id = NextFenceId(s);
        fx.Add(new AgentEffect.FenceDisable(id));
        fx.Add(new AgentEffect.Log("info", "disabling forging", $"term {s.Term}: {reason}"));
        return s with
        {
            Phase = AgentPhase.Releasing,
            Permission = s.Permission.End(),
            ReleaseReason = reason,
            FenceRequest = id,
            NextId = s.NextId + 1,
            ReleaseStartedAt = now,
        };
    }

    private static string NextFenceId(AgentState s) => "x" + s.NextId.ToString(CultureInfo.InvariantCulture);

    private static AgentState Released(AgentState s, long now, AgentRules r, ImmutableArray<AgentEffect>.Builder fx, string how)
    {
        if (!s.Term.IsNone)
            s = ReleaseDelivery.Keep(s, new Released(r.PoolId, r.Node, r.Incarnation, s.Term, s.ReleaseReason ?? how), now, r, fx);
        fx.Add(new AgentEffect.Log("info", "released: " + how, $"term {s.Term}: {s.ReleaseReason}"));
        s = s with { Phase = AgentPhase.Idle, Term = TermId.None, FenceDeadline = null, ReleaseReason = null };
        if (s.ShuttingDown) fx.Add(new AgentEffect.Exit(0));
        return s;
    }

    private static AgentState Log(AgentState s, ImmutableArray<AgentEffect>.Builder fx, string level, string message,
        string? detail = null)
    {
        fx.Add(new AgentEffect.Log(level, message, detail));
        return s;
    }
}
