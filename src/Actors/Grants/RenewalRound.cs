using System.Collections.Immutable;
using Forge.Protocol;

namespace Forge.Grants;

/// <summary>A pending agent request inside a round: who asked, what, and where the answer goes.</summary>
public sealed record PendingRenewal(object ReplyTo, string PoolId, NodeId Node, Guid Incarnation, TermId Term, long RequestId);

/// <summary>
/// One renewal round, pure: the entries were fixed when the round was sent (a request that arrives later waits for
/// the next round, since a replica may have answered before it was even sent), verdicts are counted per entry by
/// distinct configured region, and each entry resolves as soon as a majority accepted or can no longer accept.
/// </summary>
public sealed record RenewalRound(
    long RoundId,
    ImmutableArray<PendingRenewal> Requests,
    ImmutableArray<string> Regions,
    int Majority,
    ImmutableDictionary<string, ImmutableArray<ReplicaRenewalVerdict>> Verdicts,
    ImmutableHashSet<int> Resolved)
{
    public static RenewalRound Start(long roundId, ImmutableArray<PendingRenewal> requests, GrantSettings settings) =>
        new(roundId, requests, settings.Regions, settings.Majority,
            ImmutableDictionary<string, ImmutableArray<ReplicaRenewalVerdict>>.Empty.WithComparers(StringComparer.Ordinal), []);

    /// <summary>What goes to every replica; <paramref name="knownTtl"/> adds late-grant TTLs the batcher learned for
    /// exactly this term, node and incarnation (see <see cref="LearnedTerms"/>).</summary>
    public ReplicaRenewalBatch ToBatch(Func<PendingRenewal, TimeSpan?> knownTtl) =>
        new(RoundId, [.. Requests.Select(r => new ReplicaRenewalEntry(r.PoolId, r.Term, r.Node, r.Incarnation, knownTtl(r)))]);

    public bool IsComplete => Resolved.Count == Requests.Length;

    /// <summary>Adds one region's answer; returns the entries it resolved (index, answer for the agent).</summary>
    public (RenewalRound Next, ImmutableArray<(int Index, IAgentProtocolMessage Answer)> Resolved) Add(ReplicaRenewalBatchAnswer a)
    {
        if (a.RoundId != RoundId || !Regions.Contains(a.Region, StringComparer.Ordinal) || Verdicts.ContainsKey(a.Region)
            || a.Verdicts.Length != Requests.Length)
            return (this, []);
        var next = this with { Verdicts = Verdicts.Add(a.Region, a.Verdicts) };
        var resolved = ImmutableArray.CreateBuilder<(int, IAgentProtocolMessage)>();
        for (var i = 0; i < Requests.Length; i++)
        {
            if (Resolved.Contains(i)) continue;
            if (next.AnswerFor(i) is { } answer) resolved.Add((i, answer));
        }
        var done = resolved.Select(r => r.Item1);
        return (next with { Resolved = Resolved.Union(done) }, resolved.ToImmutable());
    }

    /// <summary>Answers for every unresolved entry when the round times out.</summary>
    public ImmutableArray<(int Index, IAgentProtocolMessage Answer)> TimeOut() =>
        [.. Enumerable.Range(0, Requests.Length).Where(i => !Resolved.Contains(i))
            .Select(i => (i, (IAgentProtocolMessage)Refuse(i, $"no majority of {Regions.Length} regions within the round timeout ({Describe(i)})")))];

    private IAgentProtocolMessage? AnswerFor(int i)
    {
        var accepted = Verdicts.Where(v => v.Value[i].Accepted).ToList();
        if (accepted.Count >= Majority)
        {
            var r = Requests[i];
            // replicas hold one TTL per term; the minimum guards against a disagreement all the same
            var ttl = accepted.Min(v => v.Value[i].Ttl);
            return new Renewed(r.Node, r.Incarnation, r.Term, ttl, r.RequestId, [.. accepted.Select(v => v.Key).Order(StringComparer.Ordinal)]);
        }
        var refused = Verdicts.Count - accepted.Count;
        return refused > Regions.Length - Majority ? Refuse(i, Describe(i)) : null;
    }

    private RenewRefused Refuse(int i, string reason)
    {
        var r = Requests[i];
        return new RenewRefused(r.Node, r.Incarnation, r.Term, r.RequestId, reason);
    }

    private string Describe(int i) => string.Join("; ", Verdicts.OrderBy(v => v.Key, StringComparer.Ordinal)
        .Select(v => $"{v.Key}: {v.Value[i].Reason}"));

    /// <summary>Terms a replica <em>accepted a renewal</em> of in this answer, so it holds them for exactly this node
    /// and incarnation: only those may go out as late grants, never the requester's own claim (a confused or restarted
    /// incarnation would otherwise install itself as holder on replicas that missed the grant).</summary>
    public static IEnumerable<(PendingRenewal Request, TimeSpan Ttl)> LearnedTerms(RenewalRound round, ReplicaRenewalBatchAnswer a) =>
        a.RoundId != round.RoundId || a.Verdicts.Length != round.Requests.Length
            ? []
            : round.Requests.Select((r, i) => (r, v: a.Verdicts[i])).Where(x => x.v.Accepted).Select(x => (x.r, x.v.Ttl));
}
