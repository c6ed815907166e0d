using Forge.Native;
using Forge.NodeAgent.Tests.Infrastructure;
using Forge.Protocol;
using Xunit;

namespace Forge.NodeAgent.Tests.Processes;

[Collection(ProcessCollection.Name)]
public sealed class HandoverTests : RigTest
{
    [Fact]
    public async Task Sigterm_of_a_forging_agent_asks_for_a_handover_and_releases_only_after_verified_off()
    {
        await ForgingAsync();
        var agent = AgentPid;
        Assert.Equal(0, LinuxNative.Kill(agent, 15 /* SIGTERM */));
        await Rig.WaitAsync(() => Coordinator.Last<HandoverRequest>() is not null, Wait, "HandoverRequest");
        await Rig.WaitAsync(() => Coordinator.Last<Released>() is not null, Wait, "Released after the planned revoke");
        var released = Coordinator.ArrivalOf<Released>(_ => true)!.Value;
        Assert.True(Coordinator.ArrivalOf<HandoverRequest>(_ => true) < released);
        Assert.True((await OffLoggedAsync()).Mono < released, "off before Released");
        Assert.Single(Rig.ForgeLogLines.Events("off"));
        Assert.Contains("planned handover", Coordinator.Last<Released>()!.Reason, StringComparison.Ordinal);
        await Rig.WaitAsync(() => Rig.Output.Any(l => l.Contains("agent exited", StringComparison.Ordinal) &&
                                                      l.Contains("\"code\":\"0\"", StringComparison.Ordinal)),
            Wait, "the agent to exit cleanly");
    }
}
