using System.Collections.Immutable;
using Forge.Protocol;

namespace Forge.Grants;

/// <summary>
/// Counts a grant proposal's answers by <em>distinct configured region</em> (a duplicated or forged-region answer
/// never counts twice). Granted once a majority accepted; failed once a majority can no longer be reached.
/// The activation delay is a hint for the holder: the longest wait any accepting replica reported (their own clocks,
/// stretched by <see cref="GrantTiming.ActivationHint"/>). Replicas enforce it themselves by refusing renewals until then.
/// </summary>
public sealed record ProposalTally(ProposeTerm Proposal, TermId Term, ImmutableArray<string> Regions, int Majority,
    ImmutableDictionary<string, ReplicaGrantAnswer> Answers)
{
    public static ProposalTally Start(ProposeTerm proposal, TermId term, GrantSettings settings) =>
        new(proposal, term, settings.Regions, settings.Majority, ImmutableDictionary<string, ReplicaGrantAnswer>.Empty.WithComparers(StringComparer.Ordinal));

    public ProposalTally Add(ReplicaGrantAnswer a) =>
        a.Term != Term || a.PoolId != Proposal.PoolId || !Regions.Contains(a.Region, StringComparer.Ordinal) || Answers.ContainsKey(a.Region)
            ? this
            : this with { Answers = Answers.Add(a.Region, a) };

    public ImmutableArray<string> AcceptedBy => [.. Answers.Values.Where(a => a.Accepted).Select(a => a.Region).Order(StringComparer.Ordinal)];

    public TermId HighestSeen => Answers.Values.Select(a => a.Highest).Append(Term).Max();

    /// <summary>Null while undecided.</summary>
    public IGrantProposalOutcome? Outcome(GrantTiming timing)
    {
        var accepted = Answers.Values.Where(a => a.Accepted).ToList();
        if (accepted.Count >= Majority)
        {
            var hint = timing.ActivationHint(accepted.Max(a => a.ActivationRemaining));
            return new TermGranted(Proposal.PoolId, Term, Proposal.Holder, Proposal.Incarnation, Proposal.Ttl, hint, AcceptedBy, Proposal.Reason);
        }
        var refused = Answers.Count - accepted.Count;
        if (refused > Regions.Length - Majority)
        {
            var reasons = string.Join("; ", Answers.Values.Where(a => !a.Accepted).OrderBy(a => a.Region, StringComparer.Ordinal).Select(a => $"{a.Region}: {a.Reason}"));
            var held = Answers.Values.Where(a => !a.Accepted && a.HeldFor > TimeSpan.Zero).OrderBy(a => a.HeldFor).FirstOrDefault();
            return new TermNotGranted(Proposal.PoolId, Term, HighestSeen, reasons, held?.HeldFor ?? TimeSpan.Zero, held?.Highest);
        }
        return null;
    }

    public TermNotGranted TimedOut() =>
        new(Proposal.PoolId, Term, HighestSeen, $"no majority of {Regions.Length} regions within the round timeout (accepted by: {string.Join(",", AcceptedBy)})",
            AnsweredByMajority: Answers.Count >= Majority);
}
