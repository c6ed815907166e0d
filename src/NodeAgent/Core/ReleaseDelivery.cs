using Forge.Protocol;

namespace Forge.NodeAgent.Core;

/// <summary>
/// A verified <see cref="Released"/> not yet known to have reached a coordinator. Without it a release sent while the
/// link is down is lost and the coordinator waits out the term (safe, slower). It is sent again on the next registered
/// connection (to whichever coordinator that is) until acknowledged or stale.
/// </summary>
/// <param name="StaleAt">CLOCK_BOOTTIME ns after which the term has lapsed everywhere and the message is useless.</param>
/// <param name="AckedByAnswer">0: not yet sent on a registered connection. n: sent, followed by a registration; the
/// n-th registration answer of this connection proves it arrived (one ordered TLS stream, answered in order).</param>
internal sealed record UnackedRelease(Released Message, long StaleAt, int AckedByAnswer);

/// <summary>The pure steps of keeping a release until a coordinator has it (the agent protocol has no release
/// acknowledgement, so a registration sent after it and answered is the proof).</summary>
internal static class ReleaseDelivery
{
    /// <summary>How long a kept release stays useful: the replicas let a silent term lapse one TTL after their last
    /// renewal, and that renewal was sent before the release.</summary>
    public const int StaleAfterTtls = 2;

    /// <summary>A new verified release: kept only when a coordinator link exists (single-cluster mode hands it to the
    /// in-process elector, which cannot lose it). Sent now; followed by a registration when the link is registered.</summary>
    public static AgentState Keep(AgentState s, Released message, long now, AgentRules r, ICollection<AgentEffect> fx)
    {
        fx.Add(new AgentEffect.Send(message));
        if (s.LinkEpoch == 0) return s;
        var kept = new UnackedRelease(message, now + StaleAfterTtls * r.Ns(s.TermTtl), 0);
        return s.Registered ? SendAgain(s with { UnackedRelease = kept }, fx, resend: false) : s with { UnackedRelease = kept };
    }

    /// <summary>A registration answer (registered or refused) on the current connection: acknowledges a release sent
    /// before the registration it answers; a registered connection gets any release still unsent.</summary>
    public static AgentState OnRegistrationAnswer(AgentState s, bool registered, ICollection<AgentEffect> fx)
    {
        s = s with { RegistrationAnswers = s.RegistrationAnswers + 1 };
        if (s.UnackedRelease is not { } u) return s;
        if (registered && u.AckedByAnswer > 0 && s.RegistrationAnswers >= u.AckedByAnswer)
        {
            fx.Add(new AgentEffect.Log("info", "release acknowledged", $"term {u.Message.Term}"));
            return s with { UnackedRelease = null };
        }
        if (!registered && u.AckedByAnswer > 0 && s.RegistrationAnswers >= u.AckedByAnswer)
            return s with { UnackedRelease = u with { AckedByAnswer = 0 } }; // a refused incarnation's release may be ignored
        return registered && u.AckedByAnswer == 0 ? SendAgain(s, fx, resend: true) : s;
    }

    /// <summary>A new connection or a lost one: whatever was in flight may be lost; send again once registered.</summary>
    public static AgentState OnConnectionChanged(AgentState s, bool up) => s with
    {
        LinkEpoch = up ? s.LinkEpoch + 1 : s.LinkEpoch,
        RegistrationsSent = up ? 1 : 0, // the link sends a registration first on every connection
        RegistrationAnswers = 0,
        UnackedRelease = s.UnackedRelease is { } u ? u with { AckedByAnswer = 0 } : null,
    };

    /// <summary>A newer term from a coordinator means it has moved past the kept one; a stale one is dropped.</summary>
    public static AgentState Forget(AgentState s, TermId newer, long now, ICollection<AgentEffect> fx)
    {
        if (s.UnackedRelease is not { } u) return s;
        if (newer > u.Message.Term) return s with { UnackedRelease = null };
        if (now < u.StaleAt) return s;
        fx.Add(new AgentEffect.Log("warn", "release never acknowledged: dropped, the term has lapsed", $"term {u.Message.Term}"));
        return s with { UnackedRelease = null };
    }

    /// <summary>A registration the agent sends again (after a refusal) counts on this connection.</summary>
    public static AgentState Reregistered(AgentState s, ICollection<AgentEffect> fx)
    {
        fx.Add(new AgentEffect.Reregister());
        return s with { RegistrationsSent = s.RegistrationsSent + 1 };
    }

    private static AgentState SendAgain(AgentState s, ICollection<AgentEffect> fx, bool resend)
    {
        var u = s.UnackedRelease!;
        if (resend)
        {
            fx.Add(new AgentEffect.Send(u.Message));
            fx.Add(new AgentEffect.Log("info", "release sent again after the link came back", $"term {u.Message.Term}"));
        }
        s = Reregistered(s, fx);
        return s with { UnackedRelease = u with { AckedByAnswer = s.RegistrationsSent } };
    }
}
