using System.Collections.Immutable;
using Forge.Protocol;

namespace Forge.Grants;

// The grant replica's wire protocol (coordinator ↔ replica, across regions over Akka.Remote). Every message is an
// IForgeWireMessage with a unique type name (the serializer finds them by reflection). Times are durations on the
// replica's own monotonic clock ("since", "remaining"), never instants: clocks of different machines never compare.

/// <summary>Messages a grant replica receives or sends.</summary>
public interface IGrantReplicaMessage : IForgeWireMessage;

/// <summary>A term as a replica holds it.</summary>
/// <param name="Live">The replica accepted at least one renewal of this term.</param>
/// <param name="Released">The holder's incarnation reported its node verified stopped for this term.</param>
/// <param name="SinceAccepted">Replica-clock time since this replica accepted the term.</param>
/// <param name="SinceLastRenewal">Replica-clock time since the last accepted renewal (null: never renewed here).</param>
/// <param name="Standalone">A standalone region's term (absent from older replicas: false).</param>
/// <param name="Quiet">Replica-clock time the term has gone unrenewed while it could be renewed here: since its last
/// renewal, or since its activation if never renewed; zero while it waits to activate (absent from older replicas: null).</param>
public sealed record ReplicaTermView(
    TermId Term,
    NodeId Holder,
    Guid Incarnation,
    TimeSpan Ttl,
    bool Live,
    bool Released,
    TimeSpan SinceAccepted,
    TimeSpan? SinceLastRenewal,
    bool Standalone = false,
    TimeSpan? Quiet = null);

/// <summary>A holder's verified release of a term, carried by the next grant (planned handover shortcut).</summary>
public sealed record TermRelease(TermId Term, NodeId Holder, Guid Incarnation);

/// <summary>Proposer → replica: accept <paramref name="Term"/> for this holder if it is higher than any term seen.</summary>
/// <param name="PreviousRelease">The previous holder's release, applied first if it names the replica's current term.</param>
/// <param name="Standalone">A standalone region's term: accepted only while no other term may still forge, and then
/// exclusive until released or lapsed (absent from older proposers: false).</param>
public sealed record ReplicaAcceptGrant(
    string PoolId,
    TermId Term,
    NodeId Holder,
    Guid Incarnation,
    TimeSpan Ttl,
    TermRelease? PreviousRelease,
    long CorrelationId,
    bool Standalone = false) : IGrantReplicaMessage;

/// <summary>Replica → proposer. Accepted: <paramref name="Previous"/> is the term held before, and
/// <paramref name="ActivationRemaining"/> how long this replica will still refuse renewals of the new term.
/// Refused: <paramref name="Highest"/> is the highest term this replica has seen; <paramref name="HeldFor"/> &gt; 0 when
/// the refusal is a hold (a standalone term is exclusive here, or a standalone request met a term that may still forge),
/// at least how long it lasts on this replica's clock.</summary>
public sealed record ReplicaGrantAnswer(
    string PoolId,
    TermId Term,
    string Region,
    bool Accepted,
    ReplicaTermView? Previous,
    TimeSpan ActivationRemaining,
    TermId Highest,
    string Reason,
    long CorrelationId,
    TimeSpan HeldFor = default) : IGrantReplicaMessage;

/// <summary>Proposer → replica: several pools' grants in one round (one message and one durable write per replica for
/// all of them). The replica applies each exactly as a lone <see cref="ReplicaAcceptGrant"/>, in order.</summary>
public sealed record ReplicaAcceptGrantBatch(ImmutableArray<ReplicaAcceptGrant> Grants) : IGrantReplicaMessage;

/// <summary>Replica → proposer: one answer per grant of a <see cref="ReplicaAcceptGrantBatch"/> (same order), sent once the
/// batch's changes are on disk.</summary>
public sealed record ReplicaGrantAnswerBatch(string Region, ImmutableArray<ReplicaGrantAnswer> Answers) : IGrantReplicaMessage;

/// <summary>One agent request inside a renewal round.</summary>
/// <param name="LateGrantTtl">The term's TTL when the batcher knows it: lets a replica that missed the grant
/// install it now (late grant). Null: a replica that does not know the term refuses.</param>
public sealed record ReplicaRenewalEntry(string PoolId, TermId Term, NodeId Holder, Guid Incarnation, TimeSpan? LateGrantTtl);

/// <summary>Batcher → replica: a round of renewals, all taken from requests that arrived before it was sent.</summary>
public sealed record ReplicaRenewalBatch(long RoundId, ImmutableArray<ReplicaRenewalEntry> Entries) : IGrantReplicaMessage;

/// <summary>A replica's verdict on one entry (same index as in the round).</summary>
/// <param name="Current">The replica's current term for the pool after the entry.</param>
public sealed record ReplicaRenewalVerdict(bool Accepted, TimeSpan Ttl, TermId Current, string Reason);

/// <summary>Replica → batcher: verdicts for a whole round, written to disk first when the round changed state.</summary>
public sealed record ReplicaRenewalBatchAnswer(long RoundId, string Region, ImmutableArray<ReplicaRenewalVerdict> Verdicts)
    : IGrantReplicaMessage;

/// <summary>Coordinator → replica: the holder's incarnation verified its node stopped for this term.</summary>
public sealed record ReplicaReleaseNotice(string PoolId, TermRelease Release, long CorrelationId) : IGrantReplicaMessage;

/// <summary>Replica → coordinator. <paramref name="Applied"/>: the release named the replica's current term and holder.</summary>
public sealed record ReplicaReleaseAck(string PoolId, TermId Term, string Region, bool Applied, long CorrelationId)
    : IGrantReplicaMessage;

/// <summary>A recovering replica (lost or new disk) → every other replica: send me your state.</summary>
public sealed record ReplicaStateTransferRequest(string FromRegion, long Nonce) : IGrantReplicaMessage;

/// <summary>One pool's state for a state transfer.</summary>
/// <param name="QuietRemaining">How long, on the sender's clock, a different term would still have to wait there.</param>
public sealed record ReplicaPoolSnapshot(string PoolId, ReplicaTermView Current, TimeSpan QuietRemaining);

/// <summary>Replica → recovering replica. <paramref name="Recovering"/>: the sender itself has no state yet (first
/// deployment); its empty answer still counts, since it cannot hold anything the recovering replica lacks.</summary>
public sealed record ReplicaStateTransferReply(string Region, long Nonce, bool Recovering, ImmutableArray<ReplicaPoolSnapshot> Pools)
    : IGrantReplicaMessage;

/// <summary>Coordinator → replica: what do you hold for this pool (failover watch, status display)?</summary>
public sealed record ReplicaStatusQuery(string PoolId, long CorrelationId) : IGrantReplicaMessage;

/// <summary>Replica → coordinator.</summary>
public sealed record ReplicaStatus(string PoolId, string Region, ReplicaTermView? Current, bool Recovering, long CorrelationId)
    : IGrantReplicaMessage;

/// <summary>Coordinator → replica: which pools' current terms have gone unrenewed here for at least
/// <c>Ttl × <paramref name="TtlFraction"/> + <paramref name="Beyond"/></c> (their own TTL), released ones included?
/// One query for every pool, so watching a thousand holders costs one message per replica per poll.</summary>
public sealed record ReplicaQuietQuery(double TtlFraction, TimeSpan Beyond, long CorrelationId) : IGrantReplicaMessage;

/// <summary>One quiet term in a <see cref="ReplicaQuietTerms"/> answer (<see cref="ReplicaTermView.Quiet"/>).</summary>
public sealed record ReplicaQuietTerm(string PoolId, TermId Term, NodeId Holder, Guid Incarnation, TimeSpan Ttl, bool Released,
    TimeSpan QuietFor);

/// <summary>Replica → coordinator. <paramref name="Recovering"/>: the replica has no state and does not vote.</summary>
public sealed record ReplicaQuietTerms(string Region, bool Recovering, ImmutableArray<ReplicaQuietTerm> Terms, long CorrelationId)
    : IGrantReplicaMessage;
