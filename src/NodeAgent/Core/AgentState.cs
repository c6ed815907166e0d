using Forge.Grants;
using Forge.Protocol;

namespace Forge.NodeAgent.Core;

/// <summary>The agent's whole decision state: plain immutable data, times in CLOCK_BOOTTIME ns.</summary>
internal sealed record AgentState
{
    /// <summary>"Long ago" that still leaves room for subtraction without overflow.</summary>
    public const long Never = long.MinValue / 4;

    public AgentPhase Phase { get; init; } = AgentPhase.Idle;
    /// <summary>The term being requested, held or released (kept through Releasing for the Released message).</summary>
    public TermId Term { get; init; } = TermId.None;
    /// <summary>The grant engineer's permission rule: open requests with their send times, the permission's end, and
    /// the terms that are over for this incarnation (times are CLOCK_BOOTTIME as TimeSpan).</summary>
    public required GrantPermission Permission { get; init; }
    /// <summary>Grant's activation point: no GrantRequest before it (the replicas would refuse it anyway).</summary>
    public long RequestNotBefore { get; init; }
    public long LastRequestAt { get; init; } = Never;
    public long NextId { get; init; } = 1;
    /// <summary>Id of the last DEADLINE or DISABLE sent to the fence.</summary>
    public string? FenceRequest { get; init; }
    /// <summary>The deadline the fence may still hold (cleared once a DISABLE is verified).</summary>
    public long? FenceDeadline { get; init; }
    public long ReleaseStartedAt { get; init; }
    public string? ReleaseReason { get; init; }
    public bool Registered { get; init; }
    public string? Refused { get; init; }
    /// <summary>When the last registration was sent after a refusal (or the refusal arrived): retries are paced from it.</summary>
    public long RefusedAt { get; init; } = Never;
    /// <summary>Why the credentials make this node ineligible (missing source secret, bad opcert); null when fine.</summary>
    public string? CredentialProblem { get; init; }
    public required FenceView Fence { get; init; }
    public bool ShuttingDown { get; init; }
    public long ShutdownDeadline { get; init; }
    public bool KillPending { get; init; }
    public long LastKillAt { get; init; } = Never;
    public SignalOutcome LastSignal { get; init; } = SignalOutcome.None;
    /// <summary>The TTL of the term held or released (how long a kept release stays useful).</summary>
    public TimeSpan TermTtl { get; init; }
    /// <summary>Coordinator connections seen (0: none, e.g. single-cluster mode without a link).</summary>
    public long LinkEpoch { get; init; }
    /// <summary>Registrations sent on the current connection (the link's own first one included) and answers received.</summary>
    public int RegistrationsSent { get; init; }
    public int RegistrationAnswers { get; init; }
    /// <summary>The last verified release not yet known to have reached a coordinator (<see cref="ReleaseDelivery"/>).</summary>
    public UnackedRelease? UnackedRelease { get; init; }
    public string? LastAlarm { get; init; }

    /// <summary>Verified forging: the fence proved the node forges, for the permission this agent holds.</summary>
    public bool VerifiedForging => Phase == AgentPhase.Holding && Fence.State == Protocol.VerifiedForging.On;

    /// <summary>The fence may hold a deadline or a forging node: what the fence watchdog protects.</summary>
    public bool FenceMayForge => FenceDeadline is not null || Fence.State != Protocol.VerifiedForging.Off;

    /// <summary>The fence watchdog is armed while the fence holds a deadline from this agent or reports forging.</summary>
    public bool WatchdogArmed => FenceDeadline is not null || Fence.State == Protocol.VerifiedForging.On;

    /// <summary>Highest term this incarnation released, let expire or saw superseded: answers for it are ignored.</summary>
    public TermId DeadTerm => Permission.EndedUpTo;

    /// <summary>End of the current permission (ns) = the deadline the fence holds for it; null without one.</summary>
    public long? PermitUntil => Permission.HoldsTerm && Permission.ForgeUntil > TimeSpan.Zero ? Permission.ForgeUntil.Ticks * 100 : null;

    public static AgentState Initial(long now, string? credentialProblem, GrantPermission permission) =>
        new() { Fence = FenceView.Initial(now), CredentialProblem = credentialProblem, Permission = permission };
}
