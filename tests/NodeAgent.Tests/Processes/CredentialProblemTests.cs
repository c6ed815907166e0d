using Forge.NodeAgent.Tests.Infrastructure;
using Forge.Protocol;
using Xunit;

namespace Forge.NodeAgent.Tests.Processes;

[Collection(ProcessCollection.Name)]
public sealed class VrfKeyReadableByOthersTests : RigTest
{
    protected override Action<string>? PrepareSource => dir =>
        File.SetUnixFileMode(Path.Combine(dir, "vrf.skey"), UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.OtherRead);

    [Fact]
    public async Task The_agent_raises_the_alarm_and_takes_no_grant_while_the_node_keeps_its_state() =>
        await CredentialProblem.AssertRefusedAsync(Rig, Coordinator, "accessible by group or other", expectNodeUp: true);
}

[Collection(ProcessCollection.Name)]
public sealed class MissingSourceSecretTests : RigTest
{
    protected override Action<string>? PrepareSource => dir => File.Delete(Path.Combine(dir, "kes.skey"));

    [Fact]
    public async Task The_agent_raises_the_alarm_and_takes_no_grant() =>
        await CredentialProblem.AssertRefusedAsync(Rig, Coordinator, "source KES key missing", expectNodeUp: false);
}

internal static class CredentialProblem
{
    public static async Task AssertRefusedAsync(AgentRig rig, FakeCoordinator coordinator, string problem, bool expectNodeUp)
    {
        var wait = TimeSpan.FromSeconds(30);
        await rig.WaitAsync(() => coordinator.Registration is not null, wait, "registration");
        Assert.Equal(-1, coordinator.Registration!.Credentials.OpcertCounter); // nothing to fingerprint: never eligible
        await rig.WaitAsync(() => rig.Output.Any(l => l.Contains("alarm", StringComparison.Ordinal) &&
                                                      l.Contains(problem, StringComparison.Ordinal)), wait, "the alarm in the log");
        await rig.WaitMetricsAsync("cardano_credential_operations_total{operation=\"inspect\",outcome=\"failure\"} 1", wait);
        var (status, body) = await rig.HttpAsync("/startup-status");
        Assert.Equal(503, status);
        Assert.Contains(problem, body, StringComparison.Ordinal);

        coordinator.Grant(TimeSpan.FromSeconds(5));
        await rig.WaitAsync(() => rig.Output.Any(l => l.Contains("grant-not-taken", StringComparison.Ordinal)), wait,
            "the grant to be refused locally");
        Assert.Null(coordinator.Last<GrantRequest>());
        if (expectNodeUp)
            await rig.WaitAsync(() => coordinator.LastStatus is { Alive: true, Forging: VerifiedForging.Off }, wait, "node up, off");
        Assert.Empty(rig.ForgeLogLines);
    }
}
