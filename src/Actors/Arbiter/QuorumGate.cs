namespace Forge.Arbiter;

/// <summary>
/// Whether the arbiter may start a proposal (or a handover that needs one). Pure. Closed by a quorum round — its
/// quiet probe (<c>FindQuietTerms</c>) or a proposal — that was answered by fewer than a majority of configured
/// regions; opened by the next one that was answered by a majority (or granted).
/// <para>Why: in a one-way partition an arbiter cut off inside the forger's region still reaches the other replicas,
/// which accept its terms, while their answers are dropped. Every blind term superseded the last one and restarted the
/// quiet clock of the majority side, whose failover watch therefore never saw a quiet term: forging came back only after
/// 25 s, when the singleton moved. Closed, the arbiter keeps probing (once per decide interval) and leaves failover to
/// the majority side's watch, whose own proposals first check the term on a majority (<c>ProposeFailover</c>).</para>
/// <para>Liveness only: a blind term is safe (the replicas' waits decide), it only costs time. A revoke that hands
/// forging to no one (<see cref="ArbiterStep.SendRevoke.Next"/> null: e.g. every cluster Disabled) is not held back.</para>
/// </summary>
public sealed record QuorumGate(bool Open, string? Why)
{
    public static readonly QuorumGate Initial = new(true, null);

    /// <param name="answeredByMajority">The round's answers came from a majority of configured regions.</param>
    /// <param name="what">What the round was, for the reason shown while closed.</param>
    public QuorumGate After(bool answeredByMajority, string what) =>
        answeredByMajority ? Initial : new QuorumGate(false, what);

    /// <summary>The planner's step, or <see cref="ArbiterStep.Nothing"/> in place of a proposal or a handover's revoke
    /// while closed.</summary>
    public ArbiterStep Admit(ArbiterStep step) =>
        Open || step is not (ArbiterStep.Propose or ArbiterStep.SendRevoke { Next: not null })
            ? step
            : new ArbiterStep.Nothing($"backing off: {Why}; no proposal until a quorum round reaches a majority of regions");
}
