using System.Diagnostics;
using Forge.Native;

namespace Forge.NodeSide.Tests.Fence;

/// <summary>/proc/PID/stat by proc(5) field numbers: the fence's "is this still my live child" check rests on it.</summary>
public class ProcStatTests
{
    // Shaped like a real line: 52 fields, comm in parentheses, a trailing newline.
    private static string Line(string comm, char state, int ppid, long start) =>
        $"4242 ({comm}) {state} {ppid} 4242 4242 0 -1 4194560 100 0 0 0 1 2 0 0 20 0 1 0 {start} 1000 10 "
        + string.Join(' ', Enumerable.Repeat("0", 30)) + "\n";

    [Theory]
    [InlineData("cardano-node", 'S', true)]
    [InlineData("a b", 'R', true)]
    [InlineData("x) Z 1 (y", 'S', true)]    // comm may hold ") Z": the state is after the last ')'
    [InlineData("node", 'T', true)]         // stopped is still alive
    [InlineData("node", 'Z', false)]
    [InlineData("node", 'X', false)]
    [InlineData("node", 'x', false)]
    public void State_parent_and_start_time_come_after_the_last_parenthesis(string comm, char state, bool live)
    {
        var stat = ProcStat.Parse(Line(comm, state, 77, 123456))!;
        Assert.Equal((state, live, 77, 123456L), (stat.State, stat.IsLive, stat.ParentPid, stat.StartTime));
        Assert.Equal(state.ToString(), stat.Field(3));
    }

    [Theory]
    [InlineData("")]
    [InlineData("4242 (node")]
    [InlineData("4242 (node)")]
    [InlineData("4242 (node) ")]
    public void A_line_without_a_state_parses_to_nothing(string text) => Assert.Null(ProcStat.Parse(text));

    [Fact]
    public void Missing_and_non_numeric_fields_read_as_empty_and_zero()
    {
        var stat = ProcStat.Parse("1 (init) S notanumber")!;
        Assert.Equal(("", 0L, 0, 0L), (stat.Field(99), stat.Number(99), stat.ParentPid, stat.StartTime));
        Assert.Equal("", stat.Field(2)); // pid and comm are not fields of the parsed part
    }

    [Fact]
    public void This_process_reads_as_live_with_our_parent_and_a_reaped_child_reads_as_gone()
    {
        var self = ProcStat.Read(Environment.ProcessId)!;
        Assert.True(self.IsLive);
        Assert.True(ProcStat.Read(self.ParentPid)!.StartTime <= self.StartTime, "a parent starts before its child");

        using var child = Process.Start(new ProcessStartInfo("sleep", "30"))!;
        Assert.Equal(Environment.ProcessId, ProcStat.Read(child.Id)!.ParentPid);
        child.Kill();
        child.WaitForExit();
        Assert.Null(ProcStat.Read(child.Id));
        Assert.False(ProcStat.Alive(child.Id));
        Assert.False(ProcStat.Alive(0));
    }
}
