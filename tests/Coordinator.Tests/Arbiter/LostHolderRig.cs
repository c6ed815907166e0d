using Akka.Actor;
using Akka.TestKit;
using Forge.Arbiter;
using Forge.Decider;
using Forge.Grants;
using Forge.Health;
using Forge.Nodes;
using Forge.Protocol;
using Forge.Specs;
using static Forge.Coordinator.Tests.Fixtures;

namespace Forge.Coordinator.Tests.Arbiter;

/// <summary>An arbiter with probe-backed ports and pool1: cluster east (priority 1, us-east-1) whose east/bp-0 holds
/// term 3, cluster west (priority 2, us-west-2); view-stale-after 30 s, so only the rules under test make a node stale.</summary>
internal sealed record LostHolderRig(IActorRef Arbiter, TestProbe Grants, Guid HolderIncarnation, TestProbe Nodes)
{
    public static readonly ArbiterSettings Settings = new(
        decideInterval: TimeSpan.FromMilliseconds(100), revokeTimeout: TimeSpan.FromSeconds(2),
        proposeTimeout: TimeSpan.FromSeconds(5), startupSettle: TimeSpan.FromMilliseconds(300),
        viewStaleAfter: TimeSpan.FromSeconds(30), grantTtl: TimeSpan.FromSeconds(5), historySize: 20);

    public static readonly NodeId Holder = NodeId.Parse("east/bp-0");
    public static readonly NodeId West = NodeId.Parse("west/bp-0");
    public static readonly TermId Held = new(3, "old");

    /// <param name="others">The other nodes' views, sent after the holder's.</param>
    public static LostHolderRig Start(TestKitBase kit, params NodeView[] others) => Start(kit, null, others);

    /// <param name="mediator">The arbiter's pub-sub mediator (null: none, as on a single coordinator).</param>
    /// <param name="others">The other nodes' views, sent after the holder's.</param>
    public static LostHolderRig Start(TestKitBase kit, TestProbe? mediator, params NodeView[] others)
    {
        var grants = kit.CreateTestProbe();
        var specs = kit.CreateTestProbe();
        var nodes = kit.CreateTestProbe();
        var arbiter = kit.Sys.ActorOf(ForgeArbiter.Props(Settings, DeciderSettings.Default, nodes, specs, grants, mediator,
            new Health.ScriptedProbe(), HealthSettings.Default));
        specs.ExpectMsg<SubscribeSpecs>();
        var inc = Guid.NewGuid();
        arbiter.Tell(Pool("pool1", Entry("pool1", "east", 1), Entry("pool1", "west", 2, "us-west-2")));
        arbiter.Tell(new NodeViewChanged(View("pool1", Holder, inc, held: Held)));
        foreach (var v in others) arbiter.Tell(new NodeViewChanged(v));
        return new LostHolderRig(arbiter, grants, inc, nodes);
    }

    /// <summary>The holder's term, reported quiet by a majority (its region is lost).</summary>
    public QuietTerms HolderQuiet() => new([new QuietTerm("pool1", Held, Holder, HolderIncarnation, TimeSpan.FromSeconds(5), false,
        TimeSpan.FromSeconds(2.6), ["eu-west-1", "us-west-2"])], 2);

    /// <summary>The holder's link dropped.</summary>
    public NodeViewChanged HolderGone() =>
        new(View("pool1", Holder, HolderIncarnation, alive: false, held: Held) with { Connected = false });
}
