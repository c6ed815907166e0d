using System.Collections.Immutable;
using Forge.Protocol;

namespace Forge.NodeAgent.Lease;

/// <summary>How the current Lease leadership may forge.</summary>
internal enum StandaloneFooting
{
    /// <summary>Holds a standalone term on the grant quorum: every confirmation needs the Lease AND the quorum.</summary>
    Quorum,
    /// <summary>The quorum could not be reached (or none is configured): the Lease alone, an exception to S1 the
    /// operator accepts.</summary>
    LeaseOnly,
}

/// <summary>
/// The elector's confirmation rule, pure: an agent request (GrantRequest/Renew, sent at a time the decider recorded
/// before sending) is confirmed only when a Lease renewal written after it succeeded AND, on a quorum footing, the
/// quorum's majority-accepted answer to that very request (same term, incarnation and request id) arrived. The
/// confirmed TTL is the shorter of the two; the decider then counts it from the request's send time, which precedes
/// both the Lease write and the quorum's acceptance, so the permission ends before either would let a rival forge.
/// A leader that moved from the Lease-only footing onto the quorum keeps its decider term and holds the quorum's term
/// under it (<paramref name="quorumTerm"/>): the quorum's answer must name that term; the result names the decider's.
/// </summary>
internal static class StandaloneConfirmation
{
    public static IAgentProtocolMessage Combine(NodeId node, Guid incarnation, TermId term, long requestId, TimeSpan leaseDuration,
        bool leaseRenewed, StandaloneFooting footing, IAgentProtocolMessage? quorumAnswer, TimeSpan quorumWait, TermId? quorumTerm = null)
    {
        var onQuorum = quorumTerm ?? term;
        RenewRefused Refuse(string why) => new(node, incarnation, term, requestId, why);
        if (!leaseRenewed) return Refuse("lease renewal failed");
        if (footing == StandaloneFooting.LeaseOnly)
            return new Renewed(node, incarnation, term, leaseDuration, requestId, ImmutableArray.Create("lease"));
        return quorumAnswer switch
        {
            Renewed r when r.Term == onQuorum && r.Incarnation == incarnation && r.RequestId == requestId =>
                new Renewed(node, incarnation, term, r.Ttl < leaseDuration ? r.Ttl : leaseDuration, requestId, r.AcceptedByRegions.Add("lease")),
            RenewRefused rr when rr.Term == onQuorum && rr.Incarnation == incarnation && rr.RequestId == requestId =>
                Refuse("grant quorum refused: " + rr.Reason),
            null => Refuse($"grant quorum did not answer within {quorumWait.TotalMilliseconds:F0} ms"),
            _ => Refuse("grant quorum answered another request"),
        };
    }
}
