using System.Collections.Immutable;
using Forge.Arbiter;
using Forge.Decider;
using Forge.Nodes;
using Forge.Protocol;
using Xunit;

namespace Forge.Tests.Arbiter;

/// <summary>The check on the record that spares building a PoolState per pool per sweep: it must see every change a
/// subscriber shows (the old check compared two built states) and ignore tips.</summary>
public sealed class PublishedStateTests
{
    private static readonly NodeId East = new("east", "bp-0");
    private static readonly NodeId West = new("west", "bp-0");
    private static readonly Guid EastRun = Guid.NewGuid();

    private static NodeView View(NodeId node, Guid run) => new("pool1", node, node.Cluster, run, true, true, true, 100, 100,
        VerifiedForging.Off, SignalOutcome.Verified, 40, TermId.None, new CredentialFingerprint("h", 1, 1, 40), null, "c", DateTimeOffset.UtcNow);

    private static readonly PoolRecord Rec = PoolRecord.Create("pool1") with
    {
        Nodes = ImmutableDictionary<NodeId, NodeView>.Empty.Add(West, View(West, Guid.NewGuid())).Add(East, View(East, EastRun)),
        Grant = new CurrentGrant(new TermId(4, "a"), East, EastRun),
        LastDecision = new ForgeDecision(East, false, "holder kept",
            [], [new ClusterVerdict("east", "Priority-based", 1, true, true, true, East, "ok", "", [])], DeciderState.Initial),
    };

    [Fact]
    public void A_record_is_unchanged_against_its_own_state_and_when_only_a_tip_moved()
    {
        var published = PublishedState.Of(Rec);
        Assert.Equal([East, West], published.Nodes.Select(n => n.Node)); // sorted
        Assert.True(PublishedState.Unchanged(published, Rec));
        Assert.True(PublishedState.Unchanged(published, Rec with { Nodes = Rec.Nodes.SetItem(East, Rec.Nodes[East] with { TipSlot = 900 }) }));
    }

    public static TheoryData<string> Changes() => ["target", "holder", "term", "phase", "transition", "verdict", "forging", "node added", "node gone"];

    [Theory]
    [MemberData(nameof(Changes))]
    public void Every_change_a_subscriber_shows_is_seen(string change)
    {
        var published = PublishedState.Of(Rec);
        var d = Rec.LastDecision!;
        var changed = change switch
        {
            "target" => Rec with { LastDecision = d with { Target = West } },
            "holder" => Rec with { Grant = Rec.Grant! with { Holder = West } },
            "term" => Rec with { Grant = Rec.Grant! with { Term = new TermId(5, "a") } },
            "phase" => Rec with { Phase = new ArbiterPhase.Proposing(West, Guid.NewGuid(), TimeSpan.Zero) },
            "transition" => Rec with { LastDecision = d with { Transition = "spec change" } },
            "verdict" => Rec with { LastDecision = d with { Clusters = [d.Clusters[0] with { Healthy = false }] } },
            "forging" => Rec with { Nodes = Rec.Nodes.SetItem(East, Rec.Nodes[East] with { Forging = VerifiedForging.On }) },
            "node added" => Rec with { Nodes = Rec.Nodes.Add(new NodeId("west", "bp-1"), View(new NodeId("west", "bp-1"), Guid.NewGuid())) },
            "node gone" => Rec with { Nodes = Rec.Nodes.Remove(West) },
            _ => throw new ArgumentOutOfRangeException(nameof(change)),
        };
        Assert.False(PublishedState.Unchanged(published, changed));
    }
}
