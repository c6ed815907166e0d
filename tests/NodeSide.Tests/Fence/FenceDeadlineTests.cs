using Forge.NodeSide.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Forge.NodeSide.Tests.Fence;

/// <summary>The fence in sidecar mode over a real stand-in: start path, deadline → verified on, deadline passing → off in
/// time, no fresh deadline → stays off.</summary>
public sealed class FenceDeadlineTests(ITestOutputHelper output) : IDisposable
{
    private readonly TestDir _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void Start_path_leaves_the_node_up_non_forging_with_no_credentials_installed()
    {
        using var fence = FenceNode.Start(_dir);
        var status = fence.WaitUp();
        Assert.False(fence.KeysInstalled());
        Assert.Equal(("off", "none", "-"), (status["state"], status["signal"], status["deadline"]));
        Assert.Equal("-", fence.Control.Status()["error"]);
        Assert.Empty(ForgeLogFile.Read(fence.Node.ForgeLog));
        Assert.StartsWith("PONG ", fence.Control.Send("PING"), StringComparison.Ordinal);
    }

    [Fact]
    public void The_forging_metric_bug_does_not_fool_the_fence()
    {
        // cardano-node 6113/6576: after a non-producing start the metric says 1; the fence knows better (it started the
        // node non-producing) and demands the log line and the metric together after its own SIGHUP
        using var fence = FenceNode.Start(_dir, nodeExtra: ["--standin-forging-metric-bug"]);
        Assert.Equal("off", fence.WaitUp()["state"]);
        Assert.Equal(1, StandInNode.Scrape(fence.Node.MetricsUrl)["cardano_node_metrics_forging_enabled"]);

        fence.Control.Deadline(FenceNode.Now() + FenceNode.Ms(30_000), "g1");
        fence.WaitState("on");
        fence.Control.Disable("r1");
        fence.WaitState("off");
        Assert.Equal(0, StandInNode.Scrape(fence.Node.MetricsUrl)["cardano_node_metrics_forging_enabled"]);
        Assert.Equal((1, 1), (ForgeLogFile.Read(fence.Node.ForgeLog).Events("on").Count(), ForgeLogFile.Read(fence.Node.ForgeLog).Events("off").Count()));
    }

    [Fact]
    public void Deadline_enables_verified_and_its_passing_disables_the_node_before_the_grant_ends()
    {
        using var fence = FenceNode.Start(_dir);
        fence.WaitUp();
        var nodePid = fence.NodePid;
        var given = FenceNode.Now();
        var deadline = given + FenceNode.Ms(4000);
        Assert.Equal("OK g1", fence.Control.Deadline(deadline, "g1"));

        var on = fence.WaitState("on", 4000);
        var enabledAfterMs = (FenceNode.Now() - given) / 1e6;
        Assert.Equal(("g1", "ok"), (on["request"], on["signal"]));
        Assert.True(fence.KeysInstalled());
        Poll.Until(() => ForgeLogFile.Read(fence.Node.ForgeLog).Slots().Any(), TimeSpan.FromSeconds(3), "a forged slot");

        fence.WaitState("off", 4000 + FenceNode.DisableBoundMs + 10_000);
        var log = ForgeLogFile.Read(fence.Node.ForgeLog);
        var offAt = Clocks.MonoToBoot(Assert.Single(log.Events("off")).Mono);
        var grantEnd = deadline + FenceNode.Ms(FenceNode.DisableBoundMs); // the agent adds its margin on top
        output.WriteLine($"verified on after {enabledAfterMs:F1} ms; off {(offAt - deadline) / 1e6:F1} ms after the deadline " +
                         $"(bound {FenceNode.DisableBoundMs} ms)");
        Assert.True(offAt <= grantEnd, $"off {(offAt - grantEnd) / 1e6} ms after the grant end");
        Assert.True(offAt >= deadline - FenceNode.Ms(1), "no disable before the deadline");
        Assert.All(log.Slots(), s => Assert.True(s.Mono <= Assert.Single(log.Events("off")).Mono));
        Assert.False(fence.KeysInstalled());
        Assert.Equal(nodePid, fence.NodePid); // disabled, not killed

        // no fresh deadline: the node stays off
        Poll.Never(() => fence.Control.Status()["state"] != "off", TimeSpan.FromMilliseconds(800), "re-enabled without a deadline");
        Assert.Single(ForgeLogFile.Read(fence.Node.ForgeLog).Events("on"));
    }

    [Fact]
    public void Disable_turns_forging_off_at_once_and_a_new_deadline_turns_it_on_again()
    {
        using var fence = FenceNode.Start(_dir);
        fence.WaitUp();
        fence.Control.Deadline(FenceNode.Now() + FenceNode.Ms(30_000), "g1");
        fence.WaitState("on");
        var disabledAt = FenceNode.Now();
        Assert.Equal("OK r1", fence.Control.Disable("r1"));
        var off = fence.WaitState("off");
        Assert.Equal("r1", off["request"]);
        Assert.InRange(long.Parse(off["deadline"], System.Globalization.CultureInfo.InvariantCulture), disabledAt, FenceNode.Now());
        Assert.False(fence.KeysInstalled());

        fence.Control.Deadline(FenceNode.Now() + FenceNode.Ms(30_000), "g2");
        Assert.Equal("g2", fence.WaitState("on")["request"]);
        var log = ForgeLogFile.Read(fence.Node.ForgeLog);
        Assert.Equal((2, 1), (log.Events("on").Count(), log.Events("off").Count()));
    }

    [Fact]
    public void Deadlines_too_close_to_enable_in_time_or_too_far_ahead_are_not_used()
    {
        using var fence = FenceNode.Start(_dir);
        fence.WaitUp();
        Assert.Equal("ERR deadline-too-far", fence.Control.Deadline(FenceNode.Now() + FenceNode.Ms(3_600_000), "g1"));
        // closer than the enable bound: accepted, but the fence does not start an enable it could not finish
        Assert.Equal("OK g2", fence.Control.Deadline(FenceNode.Now() + FenceNode.Ms(FenceNode.EnableBoundMs - 200), "g2"));
        Poll.Never(() => fence.Control.Status()["state"] != "off", TimeSpan.FromMilliseconds(600), "enabled too close to the deadline");
        Assert.False(fence.KeysInstalled());
        Assert.StartsWith("ERR", fence.Control.Send("ENABLE"), StringComparison.Ordinal);
        Assert.ThrowsAny<IOException>(() => fence.Control.Send(new string('A', 5000))); // over-long line: dropped
        Assert.StartsWith("PONG", fence.Control.Send("PING"), StringComparison.Ordinal);
    }
}

/// <summary>WATCH: verified state changes and the node's own log lines reach the agent through the fence.</summary>
public sealed class FenceWatchTests : IDisposable
{
    private readonly TestDir _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void Watch_streams_verified_events_and_the_nodes_log_lines()
    {
        using var fence = FenceNode.Start(_dir);
        fence.WaitUp();
        using var socket = new System.Net.Sockets.Socket(System.Net.Sockets.AddressFamily.Unix,
            System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Unspecified);
        socket.ReceiveTimeout = 15_000;
        socket.Connect(new System.Net.Sockets.UnixDomainSocketEndPoint(Path.Combine(fence.ControlDir, "fence.sock")));
        using var stream = new System.Net.Sockets.NetworkStream(socket);
        stream.Write("WATCH\n"u8);
        using var reader = new StreamReader(stream);
        Assert.Equal("OK watching", reader.ReadLine());

        fence.Control.Deadline(FenceNode.Now() + FenceNode.Ms(30_000), "g1");
        var lines = new List<string>();
        Poll.Until(() =>
        {
            lines.Add(reader.ReadLine() ?? "");
            return lines.Any(l => l.StartsWith("EVENT state=on request=g1", StringComparison.Ordinal));
        }, TimeSpan.FromSeconds(15), "an EVENT state=on");
        Assert.Contains(lines, l => l.StartsWith("LOG {", StringComparison.Ordinal) && l.Contains("EnabledBlockForging", StringComparison.Ordinal));
        // the event follows the node's own evidence, never precedes it
        Assert.True(lines.FindIndex(l => l.Contains("EnabledBlockForging", StringComparison.Ordinal)) <
                    lines.FindIndex(l => l.StartsWith("EVENT state=on", StringComparison.Ordinal)));
    }
}
