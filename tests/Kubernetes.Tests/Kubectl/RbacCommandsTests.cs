using Forge.KubeApiEmulator.Json;
using Forge.Kubernetes.Tests.Kustomize;
using Forge.Kubernetes.Tests.Support;

namespace Forge.Kubernetes.Tests.Kubectl;

/// <summary>
/// The guide's RBAC check, verbatim, answered from the rendered region overlay's real ServiceAccounts, Roles
/// and RoleBindings (the emulator evaluates SelfSubjectAccessReviews like the RBAC authorizer).
/// </summary>
public sealed class RbacCommandsTests(EmulatorFixture emulator) : IClassFixture<EmulatorFixture>, IAsyncLifetime
{
    public async Task InitializeAsync()
    {
        var rendered = await RenderedOverlay.RenderAsync(RepoPaths.Overlay("us-east-1"));
        foreach (var o in rendered.Objects.Where(o => RenderedOverlay.Str(o, "kind") is "ServiceAccount" or "Role" or "RoleBinding"))
        {
            emulator.Server.ApplyManifest(JsonText.Serialize(o));
        }
    }

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task The_coordinator_account_may_update_cluster_status()
    {
        var result = await emulator.Kubectl(GuideCommands.CoordinatorCanWriteStatus);

        Assert.Equal((0, "yes\n"), (result.ExitCode, result.Stdout));
    }

    [Theory]
    [InlineData("delete cardanoforgeclusters", "forge-manager")]
    [InlineData("create cardanoforgeclusters", "forge-manager")]
    [InlineData("update leases", "forge-manager")]
    [InlineData("list pods", "forge-manager")]
    [InlineData("update cardanoforgeclusters", "cardano-node")]
    [InlineData("list events", "cardano-node")]
    [InlineData("delete leases", "cardano-node")]
    public async Task Nothing_beyond_the_list_is_allowed(string verbAndResource, string account)
    {
        var result = await emulator.Kubectl($"kubectl auth can-i {verbAndResource} --as=system:serviceaccount:cardano:{account}");

        Assert.Equal((1, "no\n"), (result.ExitCode, result.Stdout));
    }

    [Theory]
    [InlineData("watch cardanoforgeclusters", "forge-manager")]
    [InlineData("patch cardanoforgeclusters", "forge-manager")]
    [InlineData("create events", "forge-manager")]
    [InlineData("update leases", "cardano-node")]
    [InlineData("create leases", "cardano-node")]
    public async Task What_each_part_needs_is_allowed(string verbAndResource, string account)
    {
        var result = await emulator.Kubectl($"kubectl auth can-i {verbAndResource} --as=system:serviceaccount:cardano:{account}");

        Assert.Equal((0, "yes\n"), (result.ExitCode, result.Stdout));
    }
}
