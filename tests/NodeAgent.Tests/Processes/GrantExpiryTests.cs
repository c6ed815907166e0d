using Forge.Native;
using Forge.NodeAgent.Tests.Infrastructure;
using Forge.Protocol;
using Xunit;

namespace Forge.NodeAgent.Tests.Processes;

[Collection(ProcessCollection.Name)]
public sealed class GrantExpiryTests : RigTest
{
    [Fact]
    public async Task Renewals_that_stop_arriving_fence_the_node_before_the_grant_ends_and_the_agent_releases()
    {
        await ForgingAsync();
        Coordinator.Confirming = false;
        await Rig.WaitAsync(() => Coordinator.Last<Released>() is not null, Wait, "Released after the permission ran out");
        await AssertOffBeforeGrantEndAsync();
        Assert.True((await OffLoggedAsync()).Mono < Coordinator.ArrivalOf<Released>(_ => true),
            "released only after the node was off");
        Assert.Contains(Rig.Output, l => l.Contains("renewals did not arrive in time", StringComparison.Ordinal));
        // a late answer for the expired term changes nothing
        var term = Coordinator.Current!.Term;
        var r = Coordinator.Registration!;
        Coordinator.Send(new Renewed(r.Node, r.Incarnation, term, Ttl, 1, ["r1", "r2"]));
        await Reported(VerifiedForging.Off);
        Assert.Single(Rig.ForgeLogLines.Events("on"));
    }

    [Fact]
    public async Task An_agent_stopped_with_SIGSTOP_past_the_ttl_cannot_keep_its_node_forging()
    {
        await ForgingAsync();
        var agent = AgentPid;
        Assert.Equal(0, LinuxNative.Kill(agent, 19 /* SIGSTOP */));
        try
        {
            await Rig.WaitAsync(() => Rig.FenceStatus().GetValueOrDefault("state") == "off", Wait, "the fence to disable on its own");
            await AssertOffBeforeGrantEndAsync();
            Assert.Empty(Directory.EnumerateFiles(Rig.KeyDir));
        }
        finally
        {
            LinuxNative.Kill(agent, 18 /* SIGCONT */);
        }
        // back, the agent sees its permission gone, never forges on it again, and reports the truth
        await Reported(VerifiedForging.Off);
        Assert.Single(Rig.ForgeLogLines.Events("on"));
    }
}
