using Forge.Native;
using Forge.NodeAgent.Tests.Infrastructure;
using Forge.Protocol;
using Xunit;

namespace Forge.NodeAgent.Tests.Processes;

[Collection(ProcessCollection.Name)]
public sealed class FenceStallTests : RigTest
{
    /// <summary>The fence alone stopped while the node forges: the agent is the second watchdog and kills the node
    /// before the deadline the stalled fence can no longer enforce.</summary>
    [Fact]
    public async Task A_fence_that_stops_answering_gets_its_node_killed_by_the_agent_before_the_grant_ends()
    {
        await ForgingAsync();
        var node = NodePid;
        Assert.Equal(0, LinuxNative.Kill(Rig.Fence.Id, 19 /* SIGSTOP */));
        try
        {
            // the stopped fence cannot reap it: a zombie is a dead node
            await Rig.WaitAsync(() => !NodeRunning(node), Wait, "the agent to kill the node");
            var killedAt = Clocks.MonoNs();
            var grantEnd = Coordinator.LastConfirmedRequestMono + (long)Ttl.TotalMilliseconds * 1_000_000;
            Assert.True(killedAt < grantEnd, $"node dead {(killedAt - grantEnd) / 1e6:F0} ms relative to the grant's end");
            var lastSlot = Rig.ForgeLogLines.Last(l => l.Slot is not null);
            Assert.True(lastSlot.Mono < grantEnd);
        }
        finally
        {
            LinuxNative.Kill(Rig.Fence.Id, 18 /* SIGCONT */);
        }
        await Rig.WaitAsync(() => Rig.Output.Any(l => l.Contains("fence-stalled", StringComparison.Ordinal)), Wait, "the alarm");
        await Rig.WaitAsync(() => Coordinator.Last<Released>() is not null, Wait, "Released once the node is gone");
        await Reported(VerifiedForging.Off);
    }

    private static bool NodeRunning(int pid) => ProcStat.Alive(pid);
}
