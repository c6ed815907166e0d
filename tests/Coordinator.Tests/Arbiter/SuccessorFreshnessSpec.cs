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
/// The forger's region dies: the quorum reports its holder quiet while the region's other node still looks alive
/// (view-stale-after is far off), but its entity has told that its agent went silent. The arbiter proposes the fresh node
/// of the other region, not the stale one of the lost region (<see cref="SuccessorFreshness"/>).
/// </summary>
public sealed class SuccessorFreshnessSpec : TestKit
{
    private static readonly ArbiterSettings Settings = new(
        decideInterval: TimeSpan.FromMilliseconds(100), revokeTimeout: TimeSpan.FromSeconds(2),
        proposeTimeout: TimeSpan.FromSeconds(5), startupSettle: TimeSpan.FromMilliseconds(300),
        viewStaleAfter: TimeSpan.FromSeconds(30), grantTtl: TimeSpan.FromSeconds(5), historySize: 20);

    private static readonly NodeId Holder = NodeId.Parse("east/bp-0");
    private static readonly NodeId Sibling = NodeId.Parse("east/bp-1");
    private static readonly NodeId West = NodeId.Parse("west/bp-0");
    private static readonly TermId Held = new(3, "old");
    private readonly Guid _holderInc = Guid.NewGuid();

    [Theory]
    [InlineData(2.0, "west/bp-0")] // its entity told: no report for 2 s (it died with the region)
    [InlineData(0.4, "east/bp-1")] // it reported 0.4 s ago: alive, and its cluster ranks first
    public void The_lost_holders_successor_is_a_node_heard_from_recently(double siblingReportAgeS, string expected)
    {
        var grants = CreateTestProbe();
        grants.IgnoreMessages<FindQuietTerms>();
        var specs = CreateTestProbe();
        var arbiter = Sys.ActorOf(ForgeArbiter.Props(Settings, DeciderSettings.Default, CreateTestProbe(), specs, grants, null,
            new Health.ScriptedProbe(), HealthSettings.Default));
        specs.ExpectMsg<SubscribeSpecs>();
        arbiter.Tell(Pool("pool1", Entry("pool1", "east", 1), Entry("pool1", "west", 2, "us-west-2")));
        arbiter.Tell(new NodeViewChanged(View("pool1", Holder, _holderInc, held: Held)));
        arbiter.Tell(new NodeViewChanged(View("pool1", Sibling, Guid.NewGuid()) with { ReportAge = TimeSpan.FromSeconds(siblingReportAgeS) }));
        arbiter.Tell(new NodeViewChanged(View("pool1", West, Guid.NewGuid()) with { ReportAge = TimeSpan.FromMilliseconds(300) }));
        AwaitAssert(() =>
        {
            arbiter.Tell(new GetPoolState("pool1"));
            Assert.Equal(Holder, ExpectMsg<PoolState>().Target); // settled on the holder: no proposal yet
        }, TimeSpan.FromSeconds(5), TimeSpan.FromMilliseconds(100));

        // us-east-1 is lost: a majority of replicas report the holder's term quiet.
        arbiter.Tell(new QuietTerms([new QuietTerm("pool1", Held, Holder, _holderInc, TimeSpan.FromSeconds(5), false,
            TimeSpan.FromSeconds(2.6), ["eu-west-1", "us-west-2"])], 2));
        var p = grants.ExpectMsg<ProposeGrant>(TimeSpan.FromSeconds(3));
        Assert.Equal(NodeId.Parse(expected), p.Holder);
        arbiter.Tell(new GetPoolState("pool1"));
        var target = ExpectMsg<PoolState>().History.Last(h => h.Kind == "target");
        if (p.Holder == West) Assert.Contains("not heard from recently, so not chosen: east/bp-1", target.Reason);
        else Assert.DoesNotContain("not heard from recently", target.Reason);
    }

    [Fact]
    public void When_every_candidate_is_stale_the_least_stale_one_is_proposed_not_nobody()
    {
        var grants = CreateTestProbe();
        grants.IgnoreMessages<FindQuietTerms>();
        var specs = CreateTestProbe();
        var arbiter = Sys.ActorOf(ForgeArbiter.Props(Settings, DeciderSettings.Default, CreateTestProbe(), specs, grants, null,
            new Health.ScriptedProbe(), HealthSettings.Default));
        specs.ExpectMsg<SubscribeSpecs>();
        arbiter.Tell(Pool("pool1", Entry("pool1", "east", 1), Entry("pool1", "west", 2, "us-west-2")));
        arbiter.Tell(new NodeViewChanged(View("pool1", Holder, _holderInc, held: Held)));
        // Under load every view is late: both candidates look stale, the west one less so.
        arbiter.Tell(new NodeViewChanged(View("pool1", Sibling, Guid.NewGuid()) with { ReportAge = TimeSpan.FromSeconds(4) }));
        arbiter.Tell(new NodeViewChanged(View("pool1", West, Guid.NewGuid()) with { ReportAge = TimeSpan.FromSeconds(2) }));
        AwaitAssert(() =>
        {
            arbiter.Tell(new GetPoolState("pool1"));
            Assert.Equal(Holder, ExpectMsg<PoolState>().Target);
        }, TimeSpan.FromSeconds(5), TimeSpan.FromMilliseconds(100));
        arbiter.Tell(new QuietTerms([new QuietTerm("pool1", Held, Holder, _holderInc, TimeSpan.FromSeconds(5), false,
            TimeSpan.FromSeconds(2.6), ["eu-west-1", "us-west-2"])], 2));
        Assert.Equal(West, grants.ExpectMsg<ProposeGrant>(TimeSpan.FromSeconds(3)).Holder);
    }
}
