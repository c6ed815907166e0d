using Akka.TestKit.Xunit2;
using Forge.Grants;
using Xunit;

namespace Forge.Tests.Grants;

/// <summary>The quiet probe's answer says whether a majority of regions answered (the arbiter's quorum gate reads it).</summary>
public sealed class QuietProbeReachSpec : TestKit
{
    private static TimeSpan S(double s) => TimeSpan.FromSeconds(s);

    [Theory]
    [InlineData(1, false)] // cut off one way: only its own region's answer comes back (after a quarter of the round timeout)
    [InlineData(2, true)]
    public void Answered_by_majority_counts_the_regions_that_answered(int answering, bool majority)
    {
        string[] regions = ["a", "b", "c"];
        var replicas = regions.ToDictionary(r => r, _ => CreateTestProbe());
        var settings = new GrantSettings([.. regions], S(5), S(15), S(0.5), 100_000, TimeSpan.FromMilliseconds(20), S(2), S(1), "/x");
        var proposer = Sys.ActorOf(GrantProposerActor.Props(settings, "p1", r => replicas[r].Ref));
        proposer.Tell(new FindQuietTerms(0), TestActor);
        foreach (var r in regions.Take(answering))
        {
            var q = replicas[r].ExpectMsg<ReplicaQuietQuery>();
            replicas[r].Reply(new ReplicaQuietTerms(r, false, [], q.CorrelationId));
        }
        var answer = ExpectMsg<QuietTerms>(S(5));
        Assert.Equal(answering, answer.RegionsAnswered);
        Assert.Equal(majority, answer.AnsweredByMajority);
    }
}
