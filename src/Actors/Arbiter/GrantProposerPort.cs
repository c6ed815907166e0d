using Akka.Actor;
using Forge.Grants;
using Forge.Protocol;

namespace Forge.Arbiter;

/// <summary>
/// The production grant port: translates the arbiter's <see cref="ProposeGrant"/> into the grant module's
/// <see cref="ProposeTerm"/> (to this coordinator's <see cref="GrantProposerActor"/>) and its outcomes back.
/// A verified release becomes the term's <see cref="TermRelease"/> (the planned-handover shortcut).
/// <see cref="ProposeGrants"/> becomes one <see cref="ProposeTerms"/> (one quorum round for all of them).
/// <see cref="FindQuietTerms"/> is forwarded as is (the answer goes straight to the arbiter).
/// </summary>
public sealed class GrantProposerPort : ReceiveActor
{
    private readonly Dictionary<string, (IActorRef ReplyTo, NodeId Holder)> _waiting = new(StringComparer.Ordinal);

    public static Props Props(IActorRef proposer) => Akka.Actor.Props.Create(() => new GrantProposerPort(proposer));

    public GrantProposerPort(IActorRef proposer)
    {
        Receive<ProposeGrant>(p => proposer.Tell(Translate(p, Sender)));
        Receive<ProposeGrants>(b => proposer.Tell(new ProposeTerms([.. b.Proposals.Select(p => Translate(p, Sender))])));
        Receive<TermGranted>(g =>
        {
            if (_waiting.Remove(g.PoolId, out var w))
                w.ReplyTo.Tell(new GrantProposed(g.PoolId, g.ToAgentGrant(), g.AcceptedByRegions));
        });
        Receive<TermNotGranted>(n =>
        {
            if (_waiting.Remove(n.PoolId, out var w))
                w.ReplyTo.Tell(new GrantNotProposed(n.PoolId, w.Holder, n.HighestSeen, n.Reason, n.HeldFor, n.HeldBy, n.AnsweredByMajority));
        });
        Receive<FailoverNotNeeded>(_ => { });
        // The arbiter's watch on its holders: the proposer answers the arbiter directly.
        Receive<FindQuietTerms>(f => proposer.Forward(f));
        Receive<FindCurrentTerms>(f => proposer.Forward(f));
    }

    private ProposeTerm Translate(ProposeGrant p, IActorRef replyTo)
    {
        _waiting[p.PoolId] = (replyTo, p.Holder);
        var release = p.PreviousRelease is { } r ? new TermRelease(r.Term, r.Node, r.Incarnation) : null;
        return new ProposeTerm(p.PoolId, p.Holder, p.Incarnation, p.Ttl, p.Above, release, p.Reason);
    }
}
