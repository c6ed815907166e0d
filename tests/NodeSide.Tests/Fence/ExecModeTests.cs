using System.Globalization;
using Forge.Native;
using Forge.NodeSide.Tests.Infrastructure;

namespace Forge.NodeSide.Tests.Fence;

/// <summary>exec mode: the fence starts node and agent. The agent here is a shell loop that renews a 2.5 s deadline through
/// <c>forge-fence ctl</c> every 400 ms: enough to see what the fence does when the agent stalls or dies.</summary>
public sealed class ExecModeTests : IDisposable
{
    private const int GrantMs = 2500;
    private readonly TestDir _dir = new();

    public void Dispose() => _dir.Dispose();

    private FenceNode StartWithRenewingAgent()
    {
        var script = _dir["agent.sh"];
        File.WriteAllText(script, $"""
            #!/bin/bash
            # a minimal agent: renew the deadline while alive
            i=0
            while true; do
              {Binaries.Fence} ctl "$FORGE_FENCE_SOCKET" "DEADLINE now+{GrantMs} a$$-$i" > /dev/null
              i=$((i+1))
              sleep 0.4
            done
            """);
        return FenceNode.Start(_dir, agentCommand: $"bash {script}");
    }

    [Fact]
    public void A_stalled_agent_stops_renewing_and_the_fence_disables_the_node_before_the_grant_ends()
    {
        using var fence = StartWithRenewingAgent();
        var on = fence.WaitStatus(s => s["state"] == "on", 20_000, "the agent's deadlines enable the node");
        var agentPid = int.Parse(on["agent"], CultureInfo.InvariantCulture);

        Assert.Equal(0, LinuxNative.Kill(agentPid, 19 /* SIGSTOP */));
        var lastDeadline = long.Parse(fence.Control.Status()["deadline"], CultureInfo.InvariantCulture);
        var off = fence.WaitState("off", GrantMs + FenceNode.DisableBoundMs + 10_000);
        var deadline = long.Parse(off["deadline"], CultureInfo.InvariantCulture);
        Assert.True(deadline >= lastDeadline);
        var offAt = Clocks.MonoToBoot(ForgeLogFile.Read(fence.Node.ForgeLog).Events("off").Last().Mono);
        Assert.True(offAt <= deadline + FenceNode.Ms(FenceNode.DisableBoundMs), "off within the disable bound");
        Assert.False(fence.KeysInstalled());

        Assert.Equal(0, LinuxNative.Kill(agentPid, 18 /* SIGCONT */));
        fence.WaitState("on", 20_000); // the agent is back and renews: forging resumes through a fresh deadline
    }

    [Fact]
    public void A_dead_agent_gets_its_node_disabled_at_once_and_is_restarted_without_restarting_the_node()
    {
        using var fence = StartWithRenewingAgent();
        var on = fence.WaitStatus(s => s["state"] == "on", 20_000, "the agent's deadlines enable the node");
        var (agentPid, nodePid) = (on["agent"], fence.NodePid);

        var deadlineBeforeKill = long.Parse(fence.Control.Status()["deadline"], CultureInfo.InvariantCulture);
        Assert.Equal(0, LinuxNative.Kill(int.Parse(agentPid, CultureInfo.InvariantCulture), LinuxNative.SigKill));
        var off = fence.WaitState("off");
        Assert.Equal("agent-exited", off["request"]);
        Assert.True(long.Parse(off["deadline"], CultureInfo.InvariantCulture) < deadlineBeforeKill, "the deadline moved to the agent's death");
        // disabled because the agent died, not because its last deadline ran out
        var offAt = Clocks.MonoToBoot(ForgeLogFile.Read(fence.Node.ForgeLog).Events("off").Last().Mono);
        Assert.True(offAt < deadlineBeforeKill, "off before the dead agent's last deadline");
        Assert.Equal(nodePid, fence.NodePid); // disabled, not killed: no ledger replay

        var back = fence.WaitStatus(s => s["agent"] != agentPid && s["agent"] != "-" && s["state"] == "on", 15_000,
            "a new agent enables again");
        Assert.Equal(nodePid, int.Parse(back["pid"], CultureInfo.InvariantCulture));
    }

    [Fact]
    public void Killing_the_fence_kills_node_and_agent()
    {
        using var fence = StartWithRenewingAgent();
        var on = fence.WaitStatus(s => s["state"] == "on", 20_000, "enabled");
        var agentPid = int.Parse(on["agent"], CultureInfo.InvariantCulture);
        var nodePid = fence.NodePid;
        fence.Process.Kill();
        Poll.Until(() => !FenceNode.Alive(nodePid) && !FenceNode.Alive(agentPid), TimeSpan.FromSeconds(3), "both children gone");
    }
}
