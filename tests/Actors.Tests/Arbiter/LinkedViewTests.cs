using Forge.Arbiter;
using Forge.Nodes;
using Forge.Protocol;
using Xunit;

namespace Forge.Tests.Arbiter;

/// <summary>When the arbiter takes an agent link's answer (<see cref="LinkedAgentView"/>) over the view it holds of a node.</summary>
public sealed class LinkedViewTests
{
    private static readonly NodeId West = new("west", "bp-0");
    private static readonly TimeSpan Now = TimeSpan.FromMinutes(10);

    private static NodeView View(Guid incarnation, double reportAgeS) => new("pool1", West, "us-west-2", incarnation, true, true, true,
        100, 101, VerifiedForging.Off, SignalOutcome.None, 50, TermId.None, new CredentialFingerprint("aa", 1, 1, 1), null, "c", DateTimeOffset.UnixEpoch,
        ReportAge: TimeSpan.FromSeconds(reportAgeS));

    private static PoolRecord Holding(NodeView v, double heardAgoS) => PoolRecord.Create("pool1") with
    {
        Nodes = PoolRecord.Create("pool1").Nodes.SetItem(v.Node, v),
        NodeHeardAt = PoolRecord.Create("pool1").NodeHeardAt.SetItem(v.Node, Now - TimeSpan.FromSeconds(heardAgoS)),
    };

    [Theory]
    // held view: report age when made, heard ago; the link's report age -> taken?
    [InlineData(0.2, 0.1, 0.5, false)] // held report 0.3 s old, the link's 0.5 s: the held one is newer
    [InlineData(0.2, 2.0, 0.5, true)]  // the held view's entity went quiet 2 s ago (lost coordinator): the link's is newer
    [InlineData(1.8, 0.0, 0.3, true)]  // the entity says the agent is silent, the link heard it 0.3 s ago
    [InlineData(0.1, 0.0, 4.0, false)] // an old link of an agent that restarted since: never undoes the newer view
    public void A_links_view_is_taken_only_when_its_report_is_younger(double heldReportS, double heardAgoS, double linkReportS, bool taken)
    {
        var record = Holding(View(Guid.NewGuid(), heldReportS), heardAgoS);
        Assert.Equal(taken, record.IsNewerThanHeld(View(Guid.NewGuid(), linkReportS), Now));
    }

    [Fact]
    public void A_node_the_record_does_not_hold_is_taken() =>
        Assert.True(PoolRecord.Create("pool1").IsNewerThanHeld(View(Guid.NewGuid(), 5), Now));
}
