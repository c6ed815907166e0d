using Forge.FaultInjection.Checking;

namespace Forge.FaultInjection.Tests;

/// <summary>The checker on crafted logs: it must find what is planted, and say when it saw nothing to check.</summary>
public sealed class ForgeLogCheckerTests
{
    private const long Ms = 1_000_000;

    private static string On(string node, long ms) => $$"""{"event":"on","pool":"p","node":"{{node}}","at":"2026-01-01T00:00:00Z","mono":{{ms * Ms}}}""";
    private static string Off(string node, long ms) => $$"""{"event":"off","pool":"p","node":"{{node}}","at":"2026-01-01T00:00:00Z","mono":{{ms * Ms}}}""";
    private static string Slot(string node, long slot, long ms) => $$"""{"slot":{{slot}},"pool":"p","node":"{{node}}","at":"2026-01-01T00:00:00Z","mono":{{ms * Ms}}}""";

    private static NodeForgeLog Log(string node, params string[] lines) =>
        ForgeLogReader.Parse(string.Join('\n', lines) + "\n", $"/x/{node}/forge.log");

    [Fact]
    public void Clean_handover_is_safe_and_measured()
    {
        var a = Log("c1/p0", On("c1/p0", 0), Slot("c1/p0", 1, 200), Slot("c1/p0", 2, 400), Off("c1/p0", 450));
        var b = Log("c2/p0", On("c2/p0", 500), Slot("c2/p0", 3, 600), Slot("c2/p0", 4, 800), Off("c2/p0", 900));
        var r = ForgeLogChecker.Check([a, b]);
        Assert.True(r.Safe);
        Assert.True(r.Evidence);
        Assert.Equal(4, r.SlotsForged);
        Assert.Equal(2, r.Intervals.Count);
        Assert.Equal(200 * Ms, r.LongestGapNanos);
        Assert.Equal(150 * Ms, ForgeLogChecker.Recovery([a, b], r, 450 * Ms, fresh: true));
    }

    [Fact]
    public void Finds_a_planted_overlap_without_a_double_forged_slot()
    {
        var a = Log("c1/p0", On("c1/p0", 0), Slot("c1/p0", 1, 200), Off("c1/p0", 700));
        var b = Log("c2/p0", On("c2/p0", 500), Slot("c2/p0", 4, 800), Off("c2/p0", 900));
        var r = ForgeLogChecker.Check([a, b]);
        Assert.False(r.Safe);
        Assert.Empty(r.DoubleForged);
        var o = Assert.Single(r.Overlaps);
        Assert.Equal(200 * Ms, o.Nanos);
        Assert.Equal(["c1/p0", "c2/p0"], new[] { o.First.Node, o.Second.Node });
    }

    [Fact]
    public void Finds_a_slot_forged_by_two_nodes()
    {
        var a = Log("c1/p0", On("c1/p0", 0), Slot("c1/p0", 7, 200), Off("c1/p0", 250));
        var b = Log("c2/p0", On("c2/p0", 300), Slot("c2/p0", 7, 400), Off("c2/p0", 500));
        var r = ForgeLogChecker.Check([a, b]);
        var d = Assert.Single(r.DoubleForged);
        Assert.Equal(7, d.Slot);
        Assert.Equal(["c1/p0", "c2/p0"], d.Nodes);
    }

    [Fact]
    public void A_killed_forger_without_off_ends_at_its_death_not_at_its_restart()
    {
        // c1/p0 killed at 450 ms (no "off"), restarted and back on at 5 s; c2/p0 took over at 2 s.
        var a = Log("c1/p0", On("c1/p0", 0), Slot("c1/p0", 1, 200), Slot("c1/p0", 2, 400), On("c1/p0", 5000), Slot("c1/p0", 30, 5100));
        var b = Log("c2/p0", On("c2/p0", 2000), Slot("c2/p0", 10, 2100), Off("c2/p0", 4900));
        var r = ForgeLogChecker.Check([a, b], deaths: [new NodeDeath("c1/p0", 450 * Ms)]);
        Assert.True(r.Safe);
        Assert.Contains(r.Intervals, i => i is { Node: "c1/p0", From: 0, EndedBy: "restart/death" } && i.To == 450 * Ms);
        Assert.Equal(1650 * Ms, ForgeLogChecker.Recovery([a, b], r, 450 * Ms, fresh: true));
    }

    [Fact]
    public void A_node_still_writing_at_the_horizon_counts_as_forging_until_the_horizon()
    {
        var a = Log("c1/p0", On("c1/p0", 0), Slot("c1/p0", 1, 1000));
        var b = Log("c2/p0", On("c2/p0", 1500), Slot("c2/p0", 9, 1600));
        var r = ForgeLogChecker.Check([a, b], toMono: 2000 * Ms);
        Assert.False(r.Safe); // a's interval runs to the horizon: it overlaps b's
    }

    [Fact]
    public void A_slot_outside_an_on_interval_is_an_anomaly_and_still_checked()
    {
        var a = Log("c1/p0", Slot("c1/p0", 1, 100), Slot("c1/p0", 2, 300));
        var b = Log("c2/p0", On("c2/p0", 200), Slot("c2/p0", 3, 250), Off("c2/p0", 260));
        var r = ForgeLogChecker.Check([a, b]);
        Assert.Contains(r.Anomalies, x => x.Contains("outside an on-interval", StringComparison.Ordinal));
        Assert.False(r.Safe);
    }

    [Fact]
    public void Malformed_lines_are_reported_but_a_half_written_last_line_is_not()
    {
        var log = ForgeLogReader.Parse(On("c1/p0", 0) + "\nnot json\n" + """{"slot":1,"node":"c1/p0","mono":5""", "/x/c1/p0/forge.log");
        Assert.Single(log.Entries);
        Assert.Single(log.Malformed);
    }

    [Fact]
    public void Identity_comes_from_the_content_else_from_the_path()
    {
        Assert.Equal("c9/p3", ForgeLogReader.Parse("", "/run/c9/p3/forge.log").Node);
        Assert.Equal("c1/p0", ForgeLogReader.Parse(On("c1/p0", 0) + "\n", "/run/other/dir/forge.log").Node);
    }

    [Fact]
    public void No_forging_in_the_window_is_not_evidence()
    {
        var r = ForgeLogChecker.Check([Log("c1/p0")], 0, 1000 * Ms);
        Assert.False(r.Evidence);
        Assert.Equal(1000 * Ms, r.LongestGapNanos);
    }
}
