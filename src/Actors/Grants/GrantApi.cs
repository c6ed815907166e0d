using System.Collections.Immutable;
using System.Diagnostics;
using Akka.Actor;
using Forge.Protocol;

namespace Forge.Grants;

// What the coordinator host wires up (see README.md "Wiring"):
//   GrantReplicaActor.Props(...)    once per region, on the pinned pod (ordinal 0 + persistent volume), name "grant-replica"
//   GrantProposerActor.Props(...)   on every coordinator; the ForgeArbiter singleton and the failover watch talk to it
//   RenewalBatcherActor.Props(...)  on every coordinator; agent links hand it GrantRequest / Renew / Released
// These are local messages (same process); only IGrantReplicaMessage crosses processes.

/// <summary>Where the replica of a region lives. Injected so tests can put replicas in one ActorSystem or several;
/// production uses <see cref="ReplicaDirectory.Remote"/> (an ActorSelection of the pinned pod's replica).</summary>
public delegate ICanTell ReplicaDirectory(string region);

public static class ReplicaDirectoryExtensions
{
    /// <summary>The conventional path: <c>{address of region's pinned coordinator}/user/grant-replica</c>.</summary>
    public static ReplicaDirectory Remote(ActorSystem system, Func<string, Address> pinnedAddressOfRegion) =>
        region => system.ActorSelection(new RootActorPath(pinnedAddressOfRegion(region)) / "user" / GrantReplicaActor.Name);
}

/// <summary>A monotonic clock. Time is an input: actors read it once per message, cores take it as a value.</summary>
public interface IMonotonicClock
{
    TimeSpan Now { get; }
}

/// <summary>Stopwatch (CLOCK_MONOTONIC on Linux). Replicas may use it: it stops during suspend, which only makes a
/// replica wait longer. Agents and fences must use CLOCK_BOOTTIME (it counts suspend) for their deadlines.</summary>
public sealed class StopwatchClock : IMonotonicClock
{
    public static readonly StopwatchClock Instance = new();
    public TimeSpan Now => Stopwatch.GetElapsedTime(0);
}

/// <summary>Local messages of the proposer (the ForgeArbiter singleton and the failover watch send these).</summary>
public interface IGrantProposerCommand;

/// <summary>Propose a new term for <paramref name="Holder"/>/<paramref name="Incarnation"/> above
/// <paramref name="Above"/> (the highest term the caller knows; the proposer also learns higher ones from refusals).
/// Never send this for the current holder of the current term: it renews instead.
/// Answer: <see cref="TermGranted"/> or <see cref="TermNotGranted"/> to the sender.</summary>
/// <param name="PreviousRelease">The previous holder's verified release (planned handover shortcut), or null.</param>
public sealed record ProposeTerm(
    string PoolId,
    NodeId Holder,
    Guid Incarnation,
    TimeSpan Ttl,
    TermId Above,
    TermRelease? PreviousRelease,
    string Reason,
    bool IsStandalone = false) : IGrantProposerCommand
{
    /// <summary>Standalone region (single-cluster mode): a term whose TTL, hence every successor's wait, covers the
    /// Lease duration, renewed on the quorum like any term. Replicas accept it only while no other term may still forge,
    /// and then refuse every other term until it is released or lapses (<see cref="ReplicaPoolState.ExclusiveUntil"/>).</summary>
    public static ProposeTerm Standalone(string poolId, NodeId holder, Guid incarnation, TimeSpan leaseDuration, TermId above) =>
        new(poolId, holder, incarnation, leaseDuration, above, null, "standalone region lease", IsStandalone: true);
}

/// <summary>Failover without the singleton: propose <paramref name="Candidate"/> only if a majority of replicas report
/// that <paramref name="StalledTerm"/> is still current and has not been renewed for TTL + margin + the failover
/// proposal timeout (or was released). Any majority-side coordinator may send it; dueling costs time, not safety.
/// Answer: <see cref="TermGranted"/>, <see cref="TermNotGranted"/>, or <see cref="FailoverNotNeeded"/>.</summary>
public sealed record ProposeFailover(
    string PoolId,
    TermId StalledTerm,
    NodeId Candidate,
    Guid CandidateIncarnation,
    TimeSpan Ttl,
    string Reason) : IGrantProposerCommand;

/// <summary>Outcomes of proposals.</summary>
public interface IGrantProposalOutcome
{
    string PoolId { get; }
}

/// <summary>A majority of configured regions accepted the term. Not yet permission: the holder must send a
/// <see cref="GrantRequest"/>; replicas refuse it until <paramref name="ActivationDelay"/> (a hint) has passed.</summary>
public sealed record TermGranted(
    string PoolId,
    TermId Term,
    NodeId Holder,
    Guid Incarnation,
    TimeSpan Ttl,
    TimeSpan ActivationDelay,
    ImmutableArray<string> AcceptedByRegions,
    string Reason) : IGrantProposalOutcome
{
    /// <summary>The agent protocol message to relay to the holder.</summary>
    public Grant ToAgentGrant() => new(PoolId, Holder, Incarnation, Term, Ttl, ActivationDelay, Reason);
}

/// <summary>No majority: a higher term exists (<paramref name="HighestSeen"/>), replicas are recovering, or the round
/// timed out. The caller decides again (maybe with <c>Above = HighestSeen</c>).</summary>
/// <param name="HeldFor">&gt; 0 when replicas refused because a live term holds the pool (a standalone region's, or
/// any term that may still forge when the proposal was standalone): the shortest hold they reported. Asking again
/// sooner is futile.</param>
/// <param name="HeldBy">The term that holds the pool when <paramref name="HeldFor"/> &gt; 0.</param>
/// <param name="AnsweredByMajority">False when fewer than a majority of configured regions answered at all (the round
/// timed out): the proposer cannot tell whether its term was accepted (e.g. a one-way partition drops the answers).</param>
public sealed record TermNotGranted(string PoolId, TermId Tried, TermId HighestSeen, string Reason,
    TimeSpan HeldFor = default, TermId? HeldBy = null, bool AnsweredByMajority = true) : IGrantProposalOutcome;

/// <summary>The failover check found the term alive (or already replaced) on a majority: nothing proposed.</summary>
public sealed record FailoverNotNeeded(string PoolId, TermId StalledTerm, string Reason) : IGrantProposalOutcome;

/// <summary>Planned handover helper: send a release to every replica without proposing (e.g. the holder left).</summary>
public sealed record ForwardRelease(string PoolId, TermRelease Release) : IGrantProposerCommand;

/// <summary>Which holders have lost their term: asks every replica once (one message per replica for all pools) and
/// answers <see cref="QuietTerms"/> with the terms quiet on a majority for at least
/// <see cref="GrantSettings.QuietAfter"/> of their TTL + <paramref name="Rank"/> × failover-proposal-timeout.
/// Rank 0 is the arbiter; the failover watch of the k-th fallback coordinator asks with rank k.</summary>
public sealed record FindQuietTerms(int Rank) : IGrantProposerCommand;

/// <summary>Every pool's current term as a majority of replicas report it (quiet or not), asked like
/// <see cref="FindQuietTerms"/> and answered with <see cref="CurrentTerms"/>. A new arbiter asks while it settles: the
/// holder's own view may not reach it in time (its entity re-created after a shard moved), and an arbiter that knows no
/// holder proposes a new term even for the node that holds one - a gap of one TTL (seen once in kill-region runs).</summary>
public sealed record FindCurrentTerms : IGrantProposerCommand
{
    public static readonly FindCurrentTerms Instance = new();
}

/// <summary>Answer to <see cref="FindCurrentTerms"/>: <see cref="QuietTerm.QuietFor"/> is how long since its last renewal.</summary>
public sealed record CurrentTerms(ImmutableArray<QuietTerm> Terms, bool AnsweredByMajority);

/// <summary>Answer to <see cref="FindQuietTerms"/>, sent once the regions still silent can no longer change it
/// (<see cref="QuietTally.Settled"/>: a cut-off region does not delay the others' verdict) or after a quarter of the
/// round timeout.</summary>
/// <param name="AnsweredByMajority">A majority of configured regions answered (the asker reaches the quorum).</param>
public sealed record QuietTerms(ImmutableArray<QuietTerm> Terms, int RegionsAnswered, bool AnsweredByMajority = true);
