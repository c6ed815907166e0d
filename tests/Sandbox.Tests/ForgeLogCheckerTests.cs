namespace Forge.Sandbox.Tests;

public sealed class ForgeLogCheckerTests
{
    private static ForgeLine Slot(string node, long slot, long mono) => new(slot, null, node, DateTimeOffset.UnixEpoch, mono);
    private static ForgeLine Ev(string node, string ev, long mono) => new(null, ev, node, DateTimeOffset.UnixEpoch, mono);

    [Fact]
    public void A_clean_handover_has_no_violation()
    {
        var a = new[] { Ev("a", "on", 10), Slot("a", 1, 11), Slot("a", 2, 21), Ev("a", "off", 25) };
        var b = new[] { Ev("b", "on", 26), Slot("b", 3, 31), Slot("b", 4, 41) };
        Assert.Empty(ForgeLogChecker.Violations([a, b]));
    }

    [Fact]
    public void A_slot_forged_twice_is_found()
    {
        var a = new[] { Ev("a", "on", 10), Slot("a", 1, 11), Ev("a", "off", 12) };
        var b = new[] { Ev("b", "on", 13), Slot("b", 1, 14), Ev("b", "off", 15) };
        Assert.Contains(ForgeLogChecker.Violations([a, b]), v => v.StartsWith("slot 1 forged 2 times", StringComparison.Ordinal));
    }

    [Fact]
    public void Overlapping_on_intervals_are_found_even_without_a_shared_slot()
    {
        var a = new[] { Ev("a", "on", 10), Slot("a", 1, 11), Ev("a", "off", 30) };
        var b = new[] { Ev("b", "on", 20), Slot("b", 2, 21), Ev("b", "off", 40) };
        Assert.Contains(ForgeLogChecker.Violations([a, b]), v => v.StartsWith("on-intervals overlap", StringComparison.Ordinal));
    }

    [Fact]
    public void A_killed_node_is_on_until_its_last_line_not_forever()
    {
        // a is killed -9 while on (no "off"), restarted and stays off; b takes over afterwards
        var a = new[] { Ev("a", "on", 10), Slot("a", 1, 11), Slot("a", 2, 21) };
        var b = new[] { Ev("b", "on", 40), Slot("b", 3, 41) };
        Assert.Empty(ForgeLogChecker.Violations([a, b]));
        Assert.Equal(new OnInterval("a", 10, 21), ForgeLogChecker.Intervals(a).Single());
    }

    [Fact]
    public void A_restart_closes_the_open_interval_at_the_last_line_before_the_new_on()
    {
        var a = new[] { Ev("a", "on", 10), Slot("a", 1, 11), Ev("a", "on", 50), Slot("a", 5, 51), Ev("a", "off", 60) };
        Assert.Equal([new OnInterval("a", 10, 11), new OnInterval("a", 50, 60)], ForgeLogChecker.Intervals(a));
    }
}
