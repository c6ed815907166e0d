using Forge.Native;
using Forge.NodeAgent.Tests.Infrastructure;
using Forge.Protocol;
using Xunit;

namespace Forge.NodeAgent.Tests.Processes;

[Collection(ProcessCollection.Name)]
public sealed class AgentCrashTests : RigTest
{
    [Fact]
    public async Task Kill_9_of_the_agent_leaves_the_node_running_but_fenced_and_a_new_incarnation_takes_over()
    {
        await ForgingAsync();
        var (agent, node, incarnation) = (AgentPid, NodePid, Coordinator.Registration!.Incarnation);
        Assert.Equal(0, LinuxNative.Kill(agent, LinuxNative.SigKill));
        await Rig.WaitAsync(() => Rig.FenceStatus().GetValueOrDefault("state") == "off", Wait, "the fence to disable the node");
        await AssertOffBeforeGrantEndAsync();
        Assert.Equal(node, NodePid); // disabled, not restarted: no ledger replay

        await Rig.WaitAsync(() => Coordinator.Registration!.Incarnation != incarnation, Wait, "a new agent incarnation");
        await Reported(VerifiedForging.Off);
        Assert.Equal(node, NodePid);
        // the old incarnation's term means nothing to the new agent
        Assert.Single(Rig.ForgeLogLines.Events("on"));
    }

    [Fact]
    public async Task A_node_that_vanishes_while_forging_is_reported_off_and_the_restarted_node_is_enabled_again_only_through_the_fence()
    {
        await ForgingAsync();
        var node = NodePid;
        Assert.Equal(0, LinuxNative.Kill(node, LinuxNative.SigKill));
        await Rig.WaitAsync(() => Coordinator.LastStatus is { Forging: not VerifiedForging.On }, Wait, "forging reported lost");
        Assert.Contains(Rig.Output, l => l.Contains("forging lost while holding the grant", StringComparison.Ordinal));
        // the fence restarts the node non-producing; the agent still holds a fresh permission, so the fence enables it
        await Reported(VerifiedForging.On);
        Assert.NotEqual(node, NodePid);
    }
}
