using System.Collections.Immutable;
using Akka.Actor;
using Forge.Protocol;

namespace Forge.Arbiter;

// The arbiter's narrow door to the grant module (quorum of per-region replicas). Local messages: the port actor runs
// on the arbiter's coordinator. The production port translates these to the grant module's proposer
// (Forge.Grants.ProposeTerm / TermGranted / TermNotGranted); tests use probe-backed fakes.

/// <summary>Ask the quorum for a new term for <paramref name="Holder"/>/<paramref name="Incarnation"/>, above
/// <paramref name="Above"/>. <paramref name="PreviousRelease"/> is the previous holder's verified release (planned
/// handover: the new term may skip the wait). Answer: <see cref="GrantProposed"/> or <see cref="GrantNotProposed"/>.</summary>
public sealed record ProposeGrant(
    string PoolId,
    NodeId Holder,
    Guid Incarnation,
    TimeSpan Ttl,
    TermId Above,
    Released? PreviousRelease,
    string Reason);

/// <summary>Several pools' <see cref="ProposeGrant"/>s decided in one message of the arbiter: one quorum round carries
/// them all; each pool is still answered on its own.</summary>
public sealed record ProposeGrants(ImmutableArray<ProposeGrant> Proposals);

/// <summary>A majority of configured regions accepted the term; <paramref name="Grant"/> is relayed to the holder.</summary>
public sealed record GrantProposed(string PoolId, Grant Grant, ImmutableArray<string> AcceptedByRegions);

/// <summary>No majority (higher term seen, replicas unreachable, timeout). The arbiter decides again later.</summary>
/// <param name="HeldFor">&gt; 0: a standalone region's term (<paramref name="HeldBy"/>) holds the pool at least this long
/// (asking sooner is futile).</param>
/// <param name="AnsweredByMajority">False: fewer than a majority of regions answered (<see cref="QuorumGate"/>).</param>
public sealed record GrantNotProposed(string PoolId, NodeId Holder, TermId HighestSeen, string Reason, TimeSpan HeldFor = default,
    TermId? HeldBy = null, bool AnsweredByMajority = true);

/// <summary>The port used when no grant module is wired: every proposal fails loudly, nothing is ever granted.</summary>
public sealed class NoGrantModule : ReceiveActor
{
    public static Props Props() => Akka.Actor.Props.Create(() => new NoGrantModule());

    public NoGrantModule()
    {
        Receive<ProposeGrant>(p => Sender.Tell(new GrantNotProposed(p.PoolId, p.Holder, p.Above,
            "the grant module is not wired on this coordinator: nothing can be granted")));
        Receive<GrantRequest>(r => Sender.Tell(new RenewRefused(r.Node, r.Incarnation, r.Term, r.RequestId,
            "the grant module is not wired on this coordinator")));
        Receive<Renew>(r => Sender.Tell(new RenewRefused(r.Node, r.Incarnation, r.Term, r.RequestId,
            "the grant module is not wired on this coordinator")));
        Receive<Released>(_ => { });
    }
}
