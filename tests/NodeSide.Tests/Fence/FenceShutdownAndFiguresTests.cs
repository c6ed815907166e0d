using System.Diagnostics;
using Forge.Native;
using Forge.NodeSide.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Forge.NodeSide.Tests.Fence;

public sealed class FenceShutdownAndFiguresTests(ITestOutputHelper output) : IDisposable
{
    private readonly TestDir _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void Sigterm_disables_then_stops_the_node_and_exits_cleanly()
    {
        using var fence = FenceNode.Start(_dir);
        fence.WaitUp();
        var nodePid = fence.NodePid;
        fence.Control.Deadline(FenceNode.Now() + FenceNode.Ms(30_000), "g1");
        fence.WaitState("on");

        Assert.Equal(0, LinuxNative.Kill(fence.Process.Id, LinuxNative.SigTerm));
        Assert.True(fence.Process.WaitForExit(15_000));
        Assert.Equal(0, fence.Process.ExitCode);
        Assert.False(FenceNode.Alive(nodePid));
        Assert.False(fence.KeysInstalled());
        Assert.Single(ForgeLogFile.Read(fence.Node.ForgeLog).Events("off"));
    }

    /// <summary>The figures for the closing note: DEADLINE given → STATUS on (verified), DISABLE → STATUS off (verified).</summary>
    [Fact]
    public void Measures_time_to_verified_enable_and_disable()
    {
        using var fence = FenceNode.Start(_dir);
        fence.WaitUp();
        var enable = new List<double>();
        var disable = new List<double>();
        for (var i = 0; i < 8; i++)
        {
            var t0 = Stopwatch.GetTimestamp();
            fence.Control.Deadline(FenceNode.Now() + FenceNode.Ms(30_000), $"g{i}");
            fence.WaitStatus(s => s["state"] == "on" && s["request"] == $"g{i}", 15_000, "on");
            enable.Add(Stopwatch.GetElapsedTime(t0).TotalMilliseconds);

            t0 = Stopwatch.GetTimestamp();
            fence.Control.Disable($"r{i}");
            fence.WaitStatus(s => s["state"] == "off", 15_000, "off");
            disable.Add(Stopwatch.GetElapsedTime(t0).TotalMilliseconds);
        }
        var figures = $"deadline→verified on: median {Clocks.Median(enable):F1} ms, max {enable.Max():F1} ms; " +
                      $"disable→verified off: median {Clocks.Median(disable):F1} ms, max {disable.Max():F1} ms (n={enable.Count})";
        output.WriteLine(figures);
        File.WriteAllText(Path.Combine(AppContext.BaseDirectory, "fence-figures.txt"), figures + "\n");
        // the fence enforces its bounds itself (a slow enable is retried, a slow disable ends in a kill); these are
        // figures to report, so the check is loose enough for a loaded CI machine
        Assert.True(Clocks.Median(enable) < FenceNode.EnableBoundMs && Clocks.Median(disable) < FenceNode.DisableBoundMs, figures);
    }
}
