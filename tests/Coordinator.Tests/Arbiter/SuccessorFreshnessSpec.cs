using Akka.Actor;
using Akka.TestKit.Xunit2;
using Forge.Arbiter;
using Forge.Grants;
using Forge.Nodes;
using Forge.Protocol;
using Xunit;
using static Forge.Coordinator.Tests.Arbiter.LostHolderRig;
using static Forge.Coordinator.Tests.Fixtures;

namespace Forge.Coordinator.Tests.Arbiter;

/// <summary>
/// The forger's region dies: the quorum reports its holder quiet while the region's other node still looks alive
/// (view-stale-after is far off), but its entity has told that its agent went silent. The arbiter proposes the fresh node
/// of the other region, not the stale one of the lost region (<see cref="SuccessorFreshness"/>).
/// </summary>
public sealed class SuccessorFreshnessSpec : TestKit
{
    private static readonly NodeId Sibling = NodeId.Parse("east/bp-1");

    private ProposeGrant ProposalAfterRegionLoss(double siblingReportAgeS, double westReportAgeS, out LostHolderRig rig)
    {
        rig = Start(this,
            View("pool1", Sibling, Guid.NewGuid()) with { ReportAge = TimeSpan.FromSeconds(siblingReportAgeS) },
            View("pool1", West, Guid.NewGuid()) with { ReportAge = TimeSpan.FromSeconds(westReportAgeS) });
        rig.Grants.IgnoreMessages(m => m is FindQuietTerms or FindCurrentTerms);
        LoseHolderOnceSettled(rig);
        return rig.Grants.ExpectMsg<ProposeGrant>(TimeSpan.FromSeconds(3));
    }

    /// <summary>Once the arbiter settled on the holder (no proposal yet), the quorum reports the holder's term quiet.</summary>
    private void LoseHolderOnceSettled(LostHolderRig rig)
    {
        AwaitAssert(() =>
        {
            rig.Arbiter.Tell(new GetPoolState("pool1"));
            Assert.Equal(Holder, ExpectMsg<PoolState>().Target);
        }, TimeSpan.FromSeconds(5), TimeSpan.FromMilliseconds(100));
        rig.Arbiter.Tell(rig.HolderQuiet());
    }

    [Theory]
    [InlineData(2.0, "west/bp-0")] // its entity told: no report for 2 s (it died with the region)
    [InlineData(0.4, "east/bp-1")] // it reported 0.4 s ago: alive, and its cluster ranks first
    public void The_lost_holders_successor_is_a_node_heard_from_recently(double siblingReportAgeS, string expected)
    {
        var p = ProposalAfterRegionLoss(siblingReportAgeS, 0.3, out var rig);
        Assert.Equal(NodeId.Parse(expected), p.Holder);
        rig.Arbiter.Tell(new GetPoolState("pool1"));
        var target = ExpectMsg<PoolState>().History.Last(h => h.Kind == "target");
        if (p.Holder == West) Assert.Contains("not heard from recently, so not chosen: east/bp-1", target.Reason);
        else Assert.DoesNotContain("not heard from recently", target.Reason);
    }

    [Theory]
    [InlineData(true, "east/bp-1")]
    // Seen in kill-region runs: the sibling's last view, pushed just before its region died, still looked fresh when the
    // holder was found lost; it was granted and never renewed. The arbiter now asks the candidates' entities, and only
    // an answer since counts as fresh: a dead region's entity gives none.
    [InlineData(false, "west/bp-0")]
    public void A_candidate_whose_entity_does_not_answer_the_arbiters_probe_is_not_chosen(bool siblingAnswers, string expected)
    {
        var siblingView = View("pool1", Sibling, Guid.NewGuid()) with { ReportAge = TimeSpan.FromSeconds(0.4) };
        var westView = View("pool1", West, Guid.NewGuid()) with { ReportAge = TimeSpan.FromSeconds(0.3) };
        var rig = Start(this, siblingView, westView);
        rig.Grants.IgnoreMessages(m => m is FindQuietTerms or FindCurrentTerms);
        LoseHolderOnceSettled(rig);

        GetNodeView Asked() => (GetNodeView)rig.Nodes.FishForMessage(m => m is GetNodeView, TimeSpan.FromSeconds(3));
        var asked = new[] { Asked(), Asked() };
        Assert.Equal([Sibling, West], asked.Select(a => a.Node).Order());
        rig.Arbiter.Tell(new NodeViewChanged(westView with { ReportAge = TimeSpan.FromSeconds(0.2) }));
        if (siblingAnswers) rig.Arbiter.Tell(new NodeViewChanged(siblingView with { ReportAge = TimeSpan.FromSeconds(0.2) }));

        Assert.Equal(NodeId.Parse(expected), rig.Grants.ExpectMsg<ProposeGrant>(TimeSpan.FromSeconds(3)).Holder);
    }

    [Fact]
    public void A_candidate_whose_entity_cannot_answer_is_proposed_under_the_incarnation_its_link_answers_with()
    {
        // Session 8, kill-region: the candidates' shards lived on the lost coordinator, and the arbiter's view of west
        // named an incarnation from before the agent's restart. The probe also asks the pool's links (pub-sub).
        var mediator = CreateTestProbe();
        var restarted = Guid.NewGuid();
        var rig = Start(this, mediator,
            View("pool1", Sibling, Guid.NewGuid()) with { ReportAge = TimeSpan.FromSeconds(0.4) },
            View("pool1", West, Guid.NewGuid()) with { ReportAge = TimeSpan.FromSeconds(0.3) });
        rig.Grants.IgnoreMessages(m => m is FindQuietTerms or FindCurrentTerms);
        LoseHolderOnceSettled(rig);

        var ask = (Akka.Cluster.Tools.PublishSubscribe.Publish)mediator.FishForMessage(
            m => m is Akka.Cluster.Tools.PublishSubscribe.Publish { Message: AskLinkedAgents }, TimeSpan.FromSeconds(3));
        Assert.Empty(((AskLinkedAgents)ask.Message).Nodes); // every link of the pool
        rig.Arbiter.Tell(new LinkedAgentView(View("pool1", West, restarted) with { ReportAge = TimeSpan.FromSeconds(0.1) }));

        var proposal = rig.Grants.ExpectMsg<ProposeGrant>(TimeSpan.FromSeconds(3));
        Assert.Equal((West, restarted), (proposal.Holder, proposal.Incarnation));
    }

    [Fact]
    public void A_node_the_arbiter_has_no_view_of_is_chosen_when_its_link_answers_the_probe()
    {
        // Session 9, a partition right after two other region faults: the new arbiter had views only of the cut-off
        // region's nodes (west's shard was still being allocated), asked only those, and granted them in turn.
        var mediator = CreateTestProbe();
        var rig = Start(this, mediator, View("pool1", Sibling, Guid.NewGuid()) with { ReportAge = TimeSpan.FromSeconds(0.4) });
        rig.Grants.IgnoreMessages(m => m is FindQuietTerms or FindCurrentTerms);
        LoseHolderOnceSettled(rig);

        var ask = (Akka.Cluster.Tools.PublishSubscribe.Publish)mediator.FishForMessage(
            m => m is Akka.Cluster.Tools.PublishSubscribe.Publish { Message: AskLinkedAgents }, TimeSpan.FromSeconds(3));
        var west = Guid.NewGuid();
        Assert.Empty(((AskLinkedAgents)ask.Message).Nodes); // west's link answers it too
        rig.Arbiter.Tell(new LinkedAgentView(View("pool1", West, west) with { ReportAge = TimeSpan.FromSeconds(0.1) }));

        var proposal = rig.Grants.ExpectMsg<ProposeGrant>(TimeSpan.FromSeconds(3));
        Assert.Equal((West, west), (proposal.Holder, proposal.Incarnation));
    }

    [Fact]
    public void When_every_candidate_is_stale_the_least_stale_one_is_proposed_not_nobody() =>
        // Under load every view is late: both candidates look stale, the west one less so.
        Assert.Equal(West, ProposalAfterRegionLoss(4, 2, out _).Holder);
}
