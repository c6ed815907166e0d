using Forge.NodeAgent.Tests.Infrastructure;
using Forge.Protocol;
using Xunit;

namespace Forge.NodeAgent.Tests.Processes;

/// <summary>A release verified while no coordinator is reachable is not lost: the agent keeps it and sends it once a
/// coordinator registers it again, until a registration answer after it acknowledges it.</summary>
[Collection(ProcessCollection.Name)]
public sealed class ReleaseRedeliveryTests : RigTest
{
    [Fact]
    public async Task A_release_made_while_the_link_is_down_reaches_the_coordinator_once_the_link_is_back()
    {
        await ForgingAsync();
        var term = Coordinator.Current!.Term;
        Coordinator.Unreachable = true;
        // no renewal can arrive: the permission runs out, the fence disables, the agent releases into a dead link
        await Rig.WaitAsync(() => Rig.Output.Any(l => l.Contains("released: forging verified off", StringComparison.Ordinal)),
            Wait, "the release verified while the coordinator is unreachable");
        await AssertOffBeforeGrantEndAsync();
        Assert.Null(Coordinator.Last<Released>());

        Coordinator.Unreachable = false;
        await Rig.WaitAsync(() => Coordinator.Last<Released>() is { } r && r.Term == term, Wait, "the kept Released after reconnecting");
        await Rig.WaitAsync(() => Rig.Output.Any(l => l.Contains("release acknowledged", StringComparison.Ordinal)), Wait,
            "the release acknowledged");
        Assert.Contains(Rig.Output, l => l.Contains("release sent again after the link came back", StringComparison.Ordinal));
    }
}
