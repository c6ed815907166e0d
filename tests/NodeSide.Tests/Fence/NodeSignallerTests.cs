using System.Diagnostics;
using Forge.Native;
using Forge.Fence.Node;
using Forge.NodeSide.Tests.Infrastructure;

namespace Forge.NodeSide.Tests.Fence;

/// <summary>Real signals to real processes: only a live child of this process is ever signalled.</summary>
public class NodeSignallerTests
{
    [Fact]
    public void Sighup_to_a_vanished_pid_is_an_error_outcome_not_success()
    {
        using var child = Process.Start(new ProcessStartInfo("sleep", "30"))!;
        var pid = child.Id;
        Assert.True(NodeSignaller.IsLiveChildOfThisProcess(pid));
        child.Kill();
        child.WaitForExit(); // reaped: the pid is free for reuse

        var outcome = NodeSignaller.Send(pid, LinuxNative.SigHup);
        Assert.False(outcome.Ok);
        Assert.StartsWith("error:", outcome.Text, StringComparison.Ordinal);
    }

    [Fact]
    public void A_process_that_is_not_our_child_is_never_signalled()
    {
        var outcome = NodeSignaller.Send(1, LinuxNative.SigHup);
        Assert.Equal((false, "error:pid-1-not-our-live-child"), (outcome.Ok, outcome.Text));
    }

    [Fact]
    public void A_live_child_is_signalled()
    {
        // env resets SIGHUP to its default: a test run under nohup (SIGHUP ignored, inherited across exec) must not make
        // the signal look undelivered
        using var child = Process.Start(new ProcessStartInfo("env", "--default-signal=HUP sleep 30"))!;
        Poll.Until(() => ReadComm(child.Id) == "sleep", TimeSpan.FromSeconds(5), "env reset SIGHUP and exec'd sleep");
        Assert.Equal(SignalOutcome.Sent, NodeSignaller.Send(child.Id, LinuxNative.SigHup));
        Assert.True(child.WaitForExit(5000)); // sleep's default SIGHUP action ends it
    }

    private static string ReadComm(int pid)
    {
        try { return File.ReadAllText($"/proc/{pid}/comm").Trim(); }
        catch (IOException) { return ""; }
    }
}
