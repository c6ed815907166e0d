using Akka.Actor;
using Akka.TestKit;
using Akka.TestKit.Xunit2;
using Forge.Arbiter;
using Forge.Decider;
using Forge.Grants;
using Forge.Health;
using Forge.Nodes;
using Forge.Protocol;
using Forge.Specs;
using Xunit;
using static Forge.Coordinator.Tests.Fixtures;

namespace Forge.Coordinator.Tests.Arbiter;

/// <summary>
/// An arbiter cut off one way (its messages arrive, the answers do not) must not keep proposing blind terms: after a
/// quorum round that a majority of regions did not answer it proposes nothing until one does (<see cref="QuorumGate"/>).
/// </summary>
public sealed class QuorumGateSpec : TestKit
{
    private static readonly ArbiterSettings Settings = new(
        decideInterval: TimeSpan.FromMilliseconds(100), revokeTimeout: TimeSpan.FromSeconds(2),
        proposeTimeout: TimeSpan.FromSeconds(5), startupSettle: TimeSpan.FromMilliseconds(300),
        viewStaleAfter: TimeSpan.FromSeconds(30), grantTtl: TimeSpan.FromSeconds(5), historySize: 20);

    private static readonly NodeId East = NodeId.Parse("east/bp-0");
    private static readonly NodeId West = NodeId.Parse("west/bp-0");
    private static readonly TermId Held = new(3, "old");
    private readonly Guid _eastInc = Guid.NewGuid();
    private readonly Guid _westInc = Guid.NewGuid();

    private (IActorRef Arbiter, TestProbe Grants) Start()
    {
        var grants = CreateTestProbe();
        var specs = CreateTestProbe();
        var arbiter = Sys.ActorOf(ForgeArbiter.Props(Settings, DeciderSettings.Default, CreateTestProbe(), specs, grants, null,
            new Health.ScriptedProbe(), HealthSettings.Default));
        specs.ExpectMsg<SubscribeSpecs>();
        arbiter.Tell(Pool("pool1", Entry("pool1", "east", 1), Entry("pool1", "west", 2, "us-west-2")));
        arbiter.Tell(new NodeViewChanged(View("pool1", East, _eastInc, held: Held)));
        arbiter.Tell(new NodeViewChanged(View("pool1", West, _westInc)));
        return (arbiter, grants);
    }

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
        var (arbiter, grants) = Start();
        grants.FishForMessage<FindQuietTerms>(_ => true, TimeSpan.FromSeconds(5));
        arbiter.Tell(new QuietTerms([], 1, AnsweredByMajority: false)); // only its own region answered
        // The holder's link drops: without the gate this proposes West at once.
        arbiter.Tell(new NodeViewChanged(View("pool1", East, _eastInc, alive: false, held: Held) with { Connected = false }));
        OnlyProbes(grants, TimeSpan.FromSeconds(1));

        arbiter.Tell(new QuietTerms([], 2)); // a majority answers again
        Assert.Equal(West, NextProposal(grants).Holder);
    }

    [Theory]
    [InlineData(false)] // one-way partition: the round timed out with only its own region's answer
    [InlineData(true)] // refused by a majority (a higher term): the quorum is reachable, so it retries as before
    public void A_proposal_a_majority_did_not_answer_is_not_repeated_blindly(bool answeredByMajority)
    {
        var (arbiter, grants) = Start();
        arbiter.Tell(new NodeViewChanged(View("pool1", East, _eastInc, alive: false, held: Held) with { Connected = false }));
        var first = NextProposal(grants);
        Assert.Equal(West, first.Holder);
        arbiter.Tell(new GrantNotProposed("pool1", West, new TermId(4, "arb"),
            "no majority of 3 regions within the round timeout (accepted by: us-east-1)", AnsweredByMajority: answeredByMajority));
        if (answeredByMajority)
        {
            Assert.Equal(West, NextProposal(grants).Holder); // retried after a decide interval
            return;
        }
        OnlyProbes(grants, TimeSpan.FromSeconds(1)); // ten decide intervals: no blind term

        arbiter.Tell(new QuietTerms([], 3));
        Assert.Equal(West, NextProposal(grants).Holder);
    }
}
