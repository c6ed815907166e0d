using System.Diagnostics;
using Forge.Native;
using Forge.NodeSide.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Forge.NodeSide.Tests.Fence;

/// <summary>What the fence does when things break: its own death, a stall past the deadline, a dead node, a refused
/// credential, a bad start command.</summary>
public sealed class FenceFailureTests(ITestOutputHelper output) : IDisposable
{
    private readonly TestDir _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void Killing_the_fence_with_sigkill_kills_the_node()
    {
        using var fence = FenceNode.Start(_dir);
        fence.WaitUp();
        var nodePid = fence.NodePid;
        fence.Control.Deadline(FenceNode.Now() + FenceNode.Ms(30_000), "g1");
        fence.WaitState("on");

        var clock = Stopwatch.StartNew();
        fence.Process.Kill(); // SIGKILL
        Poll.Until(() => !FenceNode.Alive(nodePid), TimeSpan.FromSeconds(3), "the node dies with its fence");
        output.WriteLine($"node gone {clock.ElapsedMilliseconds} ms after the fence's SIGKILL");
    }

    [Fact]
    public void A_fence_woken_past_its_deadline_kills_the_node_at_once()
    {
        using var fence = FenceNode.Start(_dir);
        fence.WaitUp();
        var nodePid = fence.NodePid;
        var deadline = FenceNode.Now() + FenceNode.Ms(2000);
        fence.Control.Deadline(deadline, "g1");
        fence.WaitState("on");

        // a stalled fence (SIGSTOP; a VM suspend looks the same to it) misses its deadline by far more than its tolerance
        Assert.Equal(0, LinuxNative.Kill(fence.Process.Id, 19 /* SIGSTOP */));
        Poll.Until(() => FenceNode.Now() > deadline + FenceNode.Ms(1000), TimeSpan.FromSeconds(5), "time passing the deadline");
        var resumed = FenceNode.Now();
        Assert.Equal(0, LinuxNative.Kill(fence.Process.Id, 18 /* SIGCONT */));
        Poll.Until(() => !FenceNode.Alive(nodePid), TimeSpan.FromSeconds(1), "the node killed on wake-up");
        output.WriteLine($"node killed {(FenceNode.Now() - resumed) / 1e6:F1} ms after the fence resumed");

        // and it comes back through the start path, off
        var status = fence.WaitStatus(s => s["pid"] != nodePid.ToString(System.Globalization.CultureInfo.InvariantCulture) && s["phase"] == "up",
            15_000, "node restarted");
        Assert.Equal("off", status["state"]);
        Assert.False(fence.KeysInstalled());
    }

    [Fact]
    public void A_node_that_does_not_confirm_the_disable_in_time_is_killed_within_the_disable_bound()
    {
        using var fence = FenceNode.Start(_dir);
        fence.WaitUp();
        var nodePid = fence.NodePid;
        var deadline = FenceNode.Now() + FenceNode.Ms(2500);
        fence.Control.Deadline(deadline, "g1");
        fence.WaitState("on");

        // a node that cannot answer its SIGHUP (stopped here; hung in reality): the fence must not wait past its bound
        Assert.Equal(0, LinuxNative.Kill(nodePid, 19 /* SIGSTOP */));
        Poll.Until(() => !FenceNode.Alive(nodePid), TimeSpan.FromSeconds(10), "the node killed");
        var deadAt = FenceNode.Now();
        output.WriteLine($"node killed {(deadAt - deadline) / 1e6:F1} ms after the deadline (bound {FenceNode.DisableBoundMs} ms)");
        Assert.True(deadAt >= deadline, "not killed before the deadline");
        // observed by this (possibly starved) test process, so allow some slack over the bound the fence enforces
        Assert.True(deadAt <= deadline + FenceNode.Ms(FenceNode.DisableBoundMs + 1000), fence.Stderr);
        Assert.Contains("disable-not-verified-in-time", fence.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void A_node_killed_behind_the_fences_back_restarts_non_producing_and_can_be_enabled_again()
    {
        using var fence = FenceNode.Start(_dir);
        fence.WaitUp();
        var nodePid = fence.NodePid;
        fence.Control.Deadline(FenceNode.Now() + FenceNode.Ms(30_000), "g1");
        fence.WaitState("on");

        Assert.Equal(0, LinuxNative.Kill(nodePid, LinuxNative.SigKill));
        var restarted = fence.WaitStatus(s => s["pid"] != nodePid.ToString(System.Globalization.CultureInfo.InvariantCulture),
            5000, "a new node pid");
        Assert.NotEqual("on", restarted["state"]);
        fence.WaitState("on", 15_000); // the deadline still holds: enabled again once the new node is up
        var log = ForgeLogFile.Read(fence.Node.ForgeLog);
        // two incarnations, each enabled (more than once if an enable missed its bound on a loaded machine)
        Assert.True(log.Events("on").Count() >= 2, fence.Stderr);
        Assert.True(log.Slots().Count() == log.Slots().Select(l => l.Slot).Distinct().Count(), "no slot forged twice");
    }

    [Fact]
    public void A_credential_the_node_rejects_is_an_alarm_and_the_node_stays_off()
    {
        using var fence = FenceNode.Start(_dir);
        fence.WaitUp();
        // the source opcert becomes garbage after startup: the node answers BlockForgingUpdateError
        File.WriteAllText(Path.Combine(fence.SourceDir, "node.cert"), """{"type":"NodeOperationalCertificate","description":"","cborHex":"00"}""");
        fence.Control.Deadline(FenceNode.Now() + FenceNode.Ms(30_000), "g1");
        var status = fence.WaitStatus(s => s["error"].Contains("enable_failed", StringComparison.Ordinal), 15_000, "an alarm");
        Assert.NotEqual("on", status["state"]);
        // the fence retries after its backoff (the files come and go), but the node never forges
        Poll.Never(() => fence.Control.Status()["state"] == "on", TimeSpan.FromMilliseconds(800), "forging on a rejected credential");
        Assert.Empty(ForgeLogFile.Read(fence.Node.ForgeLog).Events("on"));
        Assert.Equal("ok", fence.Control.Status()["signal"]);
    }

    [Fact]
    public void Refuses_a_node_command_that_would_start_the_node_producing()
    {
        var spec = new StandInSpec(_dir) { NonProducing = false };
        var (code, stderr) = Run("sidecar", "--node-cmd", spec.CommandLine(), "--source-dir", _dir.Sub("src"), "--control-dir", _dir["ctl"]);
        Assert.Equal(2, code);
        Assert.Contains("non-producing", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Refuses_a_control_directory_others_can_enter()
    {
        var control = _dir.Sub("shared");
        File.SetUnixFileMode(control, (UnixFileMode)Convert.ToInt32("755", 8));
        var spec = new StandInSpec(_dir);
        StandInSpec.WriteCredentials(_dir.Sub("src"));
        var (code, stderr) = Run("sidecar", "--node-cmd", spec.CommandLine(), "--source-dir", _dir["src"], "--control-dir", control);
        Assert.Equal(2, code);
        Assert.Contains("0700", stderr, StringComparison.Ordinal);
    }

    private static (int, string) Run(params string[] args)
    {
        var info = new ProcessStartInfo(Binaries.Fence) { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var a in args) info.ArgumentList.Add(a);
        using var p = Process.Start(info)!;
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(10_000))
        {
            p.Kill(entireProcessTree: true);
            throw new TimeoutException("the fence should have refused to start");
        }
        return (p.ExitCode, stderr.GetAwaiter().GetResult());
    }
}
