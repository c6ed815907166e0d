using Forge.Native;
using Forge.NodeAgent.Tests.Infrastructure;
using Forge.Protocol;
using Xunit;

namespace Forge.NodeAgent.Tests.Processes;

/// <summary>
/// Sidecar mode end to end (deploy/overlays/sidecar): forge-fence is the node container's entrypoint with the stand-in
/// under it; the agent runs as a separate process tree (its own container) and reaches the fence only through the
/// control directory (the shared volume). Forging on a grant, off on a revoke, and off by the fence's own deadline when the
/// agent dies (nobody tells the fence in this mode); a restarted agent takes over as a new incarnation.
/// </summary>
[Collection(ProcessCollection.Name)]
public sealed class SidecarModeTests : RigTest
{
    protected override bool Sidecar => true;

    private static int ParentOf(int pid) => ProcStat.Read(pid)?.ParentPid ?? 0;

    [Fact]
    public async Task Grant_enables_and_revoke_disables_with_the_agent_outside_the_nodes_process_tree()
    {
        await ForgingAsync();
        // two trees: fence → node, and the agent beside them
        Assert.Equal(Rig.Fence.Id, ParentOf(NodePid));
        Assert.Equal(Environment.ProcessId, ParentOf(AgentPid));
        Assert.Equal("on", Rig.FenceStatus().GetValueOrDefault("state"));
        var on = Rig.ForgeLogLines.Events("on").Single();
        Assert.True(on.Mono < Coordinator.ArrivalOf<NodeStatusReport>(s => s.Forging == VerifiedForging.On)!.Value,
            "forging was reported only after the node logged it on");

        var node = NodePid;
        Coordinator.Revoke();
        await Rig.WaitAsync(() => Coordinator.Last<Released>() is not null, Wait, "Released");
        var off = await OffLoggedAsync();
        Assert.True(off.Mono < Coordinator.ArrivalOf<Released>(_ => true)!.Value, "released only after the node logged off");
        Assert.Empty(Directory.EnumerateFiles(Rig.KeyDir));
        await Reported(VerifiedForging.Off);
        Assert.Equal(node, NodePid); // disabled, not restarted
    }

    [Fact]
    public async Task An_agent_killed_while_forging_leaves_the_node_disabled_by_the_fences_deadline_and_a_new_agent_takes_over()
    {
        await ForgingAsync();
        var (node, incarnation) = (NodePid, Coordinator.Registration!.Incarnation);
        Assert.Equal(0, LinuxNative.Kill(AgentPid, LinuxNative.SigKill));
        // the fence is not the agent's parent here: its deadline alone turns the node off, before the grant ends
        await Rig.WaitAsync(() => Rig.FenceStatus().GetValueOrDefault("state") == "off", Wait, "the fence to disable the node at its deadline");
        await AssertOffBeforeGrantEndAsync();
        Assert.Empty(Directory.EnumerateFiles(Rig.KeyDir));
        Assert.Equal(node, NodePid); // disabled, not killed: no ledger replay

        Rig.StartSidecarAgent(); // the kubelet restarts the forge-manager container
        await Rig.WaitAsync(() => Coordinator.Registration!.Incarnation != incarnation, Wait, "a new agent incarnation");
        await Reported(VerifiedForging.Off);
        Assert.Single(Rig.ForgeLogLines.Events("on")); // the old incarnation's term means nothing to the new agent
        Coordinator.Grant(Ttl);
        await Reported(VerifiedForging.On);
        Assert.Equal(node, NodePid);
    }
}
