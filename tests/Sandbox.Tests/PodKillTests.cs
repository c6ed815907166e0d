using System.Diagnostics;

namespace Forge.Sandbox.Tests;

/// <summary>The sandbox kubelet's kill on real processes: a stopped process tree that ignores SIGTERM is SIGKILLed after
/// the grace and awaited (children included); a process that ends on SIGTERM is never SIGKILLed.</summary>
public sealed class PodKillTests
{
    [Fact]
    public async Task A_stopped_tree_that_ignores_sigterm_is_sigkilled_after_the_grace_children_included()
    {
        using var shell = Start("trap '' TERM; sleep 300; :"); // the sleep inherits the ignored SIGTERM
        var child = WaitForChild(shell.Id);
        Assert.True(Native.Kill(child, Native.SIGSTOP) && Native.Kill(shell.Id, Native.SIGSTOP));

        var processes = PodKill.ProcessesOf([shell.Id]);
        var outcome = await PodKill.TerminateAsync(() => processes, TimeSpan.FromMilliseconds(300), TimeSpan.FromSeconds(10));

        Assert.Equal([child, shell.Id], processes.Select(p => p.Pid)); // children first
        Assert.True(outcome.AllDead, string.Join(", ", outcome.Surviving));
        Assert.Equal([child, shell.Id], outcome.Sigkilled);
        Assert.False(ProcFs.Alive(child));
        Assert.False(ProcFs.Alive(shell.Id));
    }

    [Fact]
    public async Task A_process_that_ends_on_sigterm_is_not_sigkilled()
    {
        using var sleeper = Start("exec sleep 300");
        var processes = PodKill.ProcessesOf([sleeper.Id]);

        var outcome = await PodKill.TerminateAsync(() => processes, TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(10));

        Assert.True(outcome.AllDead);
        Assert.Empty(outcome.Sigkilled);
        Assert.False(ProcFs.Alive(sleeper.Id));
    }

    [Fact]
    public void A_reused_pid_is_not_the_same_process()
    {
        var self = ProcessIdentity.Of(Environment.ProcessId)!;

        Assert.True(self.Alive);
        Assert.False((self with { StartTime = self.StartTime + 1 }).Alive);
        Assert.Null(ProcessIdentity.Of(0));
    }

    private static Process Start(string script)
    {
        var info = new ProcessStartInfo("/bin/sh") { UseShellExecute = false };
        info.ArgumentList.Add("-c");
        info.ArgumentList.Add(script);
        return Process.Start(info)!;
    }

    private static int WaitForChild(int pid)
    {
        var child = 0;
        Poll.Until(() => ProcFs.Descendants(pid) is [var c, ..] && (child = c) > 0, TimeSpan.FromSeconds(10), "the shell's child");
        return child;
    }
}
