using Akka.Actor;
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

/// <summary>The arbiter sends the proposals it decides while handling one message together (one quorum round), e.g.
/// when the quorum reports every holder of a lost region quiet at once.</summary>
public sealed class ArbiterProposalBatchSpec : TestKit
{
    private static readonly ArbiterSettings Settings = new(
        decideInterval: TimeSpan.FromMilliseconds(100), revokeTimeout: TimeSpan.FromSeconds(2),
        proposeTimeout: TimeSpan.FromSeconds(5), startupSettle: TimeSpan.FromMilliseconds(300),
        viewStaleAfter: TimeSpan.FromSeconds(30), grantTtl: TimeSpan.FromSeconds(5), historySize: 20);

    private static readonly TermId Held = new(3, "old");

    [Fact]
    public void Holders_lost_together_are_proposed_together_and_answered_per_pool()
    {
        var grants = CreateTestProbe();
        grants.IgnoreMessages(m => m is FindQuietTerms or FindCurrentTerms);
        var specs = CreateTestProbe();
        var arbiter = Sys.ActorOf(ForgeArbiter.Props(Settings, DeciderSettings.Default, CreateTestProbe(), specs, grants, null,
            new Health.ScriptedProbe(), HealthSettings.Default));
        specs.ExpectMsg<SubscribeSpecs>();
        var pools = new[] { "pool1", "pool2", "pool3" };
        var inc = pools.ToDictionary(p => p, _ => (East: Guid.NewGuid(), West: Guid.NewGuid()));
        NodeId East(string p) => NodeId.Parse($"east-{p}/bp-0");
        NodeId West(string p) => NodeId.Parse($"west-{p}/bp-0");
        foreach (var (p, i) in pools.Select((p, i) => (p, i)))
        {
            arbiter.Tell(Pool(p, Entry(p, $"east-{p}", 1), Entry(p, $"west-{p}", 2, "us-west-2")));
            arbiter.Tell(new NodeViewChanged(View(p, East(p), inc[p].East, held: Held, creds: Creds(hash: $"e{i}"))));
            arbiter.Tell(new NodeViewChanged(View(p, West(p), inc[p].West, creds: Creds(hash: $"e{i}"))));
        }
        grants.ExpectNoMsg(TimeSpan.FromMilliseconds(600)); // every holder keeps its term

        // us-east-1 is lost: the quorum reports all three holders quiet in one answer
        arbiter.Tell(new QuietTerms([.. pools.Select(p => new QuietTerm(p, Held, East(p), inc[p].East, TimeSpan.FromSeconds(5), false,
            TimeSpan.FromSeconds(2.6), ["eu-west-1", "us-west-2"]))], 2));
        var batch = grants.ExpectMsg<ProposeGrants>(TimeSpan.FromSeconds(3));
        Assert.Equal(pools, batch.Proposals.Select(p => p.PoolId).Order(StringComparer.Ordinal));
        Assert.All(batch.Proposals, p => Assert.Equal(West(p.PoolId), p.Holder));

        foreach (var p in batch.Proposals)
            grants.Reply(new GrantProposed(p.PoolId, new Grant(p.PoolId, p.Holder, p.Incarnation, new TermId(4, "arb"), p.Ttl, TimeSpan.Zero, p.Reason),
                ["eu-west-1", "us-west-2"]));
        AwaitAssert(() =>
        {
            foreach (var p in pools)
            {
                arbiter.Tell(new GetPoolState(p));
                var state = ExpectMsg<PoolState>();
                Assert.Equal(West(p), state.Holder);
                Assert.Equal(new TermId(4, "arb"), state.Term);
            }
        }, TimeSpan.FromSeconds(3), TimeSpan.FromMilliseconds(100));
    }
}
