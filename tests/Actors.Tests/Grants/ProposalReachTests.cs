using Forge.Grants;
using Forge.Protocol;
using Xunit;

namespace Forge.Tests.Grants;

/// <summary>A proposal that timed out says whether a majority of regions answered at all (the arbiter's quorum gate
/// reads it): a one-way partition lets the proposal out and drops the answers.</summary>
public sealed class ProposalReachTests
{
    private static TimeSpan S(double s) => TimeSpan.FromSeconds(s);
    private static readonly TermId Term = new(1, "x");

    private static ReplicaGrantAnswer Answer(string region, bool accepted) =>
        new("p", Term, region, accepted, null, TimeSpan.Zero, Term, accepted ? "" : "higher term seen", 0);

    [Theory]
    [InlineData(new string[0], false)]
    [InlineData(new[] { "a" }, false)] // only its own region answered
    [InlineData(new[] { "a", "a", "z" }, false)] // a duplicate and an unknown region do not count
    [InlineData(new[] { "a", "b" }, true)] // answered, one accepted and one refused: undecided, but reached
    public void A_timed_out_round_tells_whether_a_majority_answered(string[] regions, bool answeredByMajority)
    {
        var settings = new GrantSettings(["a", "b", "c"], S(5), S(15), S(0.5), 100_000, TimeSpan.FromMilliseconds(20), S(2), S(1), "/x");
        var t = ProposalTally.Start(new ProposeTerm("p", new NodeId("c", "n"), Guid.NewGuid(), S(5), TermId.None, null, ""), Term, settings);
        foreach (var (r, i) in regions.Select((r, i) => (r, i))) t = t.Add(Answer(r, accepted: i % 2 == 0));
        Assert.Null(t.Outcome(settings.Timing));
        Assert.Equal(answeredByMajority, t.TimedOut().AnsweredByMajority);
    }
}
