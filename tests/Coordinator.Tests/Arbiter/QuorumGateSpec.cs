using Akka.Actor;
using Akka.TestKit;
using Akka.TestKit.Xunit2;
using Forge.Arbiter;
using Forge.Grants;
using Forge.Protocol;
using Xunit;
using static Forge.Coordinator.Tests.Arbiter.LostHolderRig;
using static Forge.Coordinator.Tests.Fixtures;

namespace Forge.Coordinator.Tests.Arbiter;

/// <summary>
/// An arbiter cut off one way (its messages arrive, the answers do not) must not keep proposing blind terms: after a
/// quorum round that a majority of regions did not answer it proposes nothing until one does (<see cref="QuorumGate"/>).
/// </summary>
public sealed class QuorumGateSpec : TestKit
{
    private LostHolderRig StartRig() => Start(this, View("pool1", West, Guid.NewGuid()));

    /// <summary>What the arbiter sends the grant port over <paramref name="window"/>: quorum probes only, no proposal.</summary>
    private static void OnlyProbes(TestProbe grants, TimeSpan window)
    {
        var sent = grants.ReceiveWhile<object>(window, m => m);
        Assert.DoesNotContain(sent, m => m is ProposeGrant or ProposeGrants);
        Assert.Contains(sent, m => m is FindQuietTerms); // it keeps probing: that is how it opens again
    }

    private static ProposeGrant NextProposal(TestProbe grants) =>
        (ProposeGrant)grants.FishForMessage(m => m is ProposeGrant, TimeSpan.FromSeconds(5));

    [Fact]
    public void A_probe_answered_by_one_region_holds_proposals_back_until_a_probe_reaches_a_majority()
    {
        var rig = StartRig();
        rig.Grants.FishForMessage<FindQuietTerms>(_ => true, TimeSpan.FromSeconds(5));
        rig.Arbiter.Tell(new QuietTerms([], 1, AnsweredByMajority: false)); // only its own region answered
        // the holder released its term and left: without the gate this proposes West at once (with the release)
        rig.Arbiter.Tell(new Released("pool1", Holder, rig.HolderIncarnation, Held, "shutting down"));
        rig.Arbiter.Tell(rig.HolderGone());
        OnlyProbes(rig.Grants, TimeSpan.FromSeconds(1));

        rig.Arbiter.Tell(new QuietTerms([], 2)); // a majority answers again
        Assert.Equal(West, NextProposal(rig.Grants).Holder);
    }

    [Theory]
    [InlineData(false)] // one-way partition: the round timed out with only its own region's answer
    [InlineData(true)] // refused by a majority (a higher term): the quorum is reachable, so it retries as before
    public void A_proposal_a_majority_did_not_answer_is_not_repeated_blindly(bool answeredByMajority)
    {
        var rig = StartRig();
        rig.Arbiter.Tell(rig.HolderGone());
        rig.Arbiter.Tell(rig.HolderQuiet());
        Assert.Equal(West, NextProposal(rig.Grants).Holder);
        rig.Arbiter.Tell(new GrantNotProposed("pool1", West, new TermId(4, "arb"),
            "no majority of 3 regions within the round timeout (accepted by: us-east-1)", AnsweredByMajority: answeredByMajority));
        if (answeredByMajority)
        {
            Assert.Equal(West, NextProposal(rig.Grants).Holder); // retried after a decide interval
            return;
        }
        OnlyProbes(rig.Grants, TimeSpan.FromSeconds(1)); // ten decide intervals: no blind term

        rig.Arbiter.Tell(rig.HolderQuiet() with { RegionsAnswered = 3 }); // a majority answers again (the holder still quiet)
        Assert.Equal(West, NextProposal(rig.Grants).Holder);
    }
}
