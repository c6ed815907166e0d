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
    public async Task Requests_made_as_a_service_account_are_held_to_its_rbac()
    {
        await emulator.ResetClustersAsync();
        var kubeconfig = Path.Combine(emulator.WorkDir, "forge-manager.kubeconfig");
        emulator.Server.WriteKubeconfig(kubeconfig, EmulatorFixture.Namespace, serviceAccount: "cardano:forge-manager");

        var result = await emulator.Kubectl($"export KUBECONFIG={kubeconfig}\n" + """
            kubectl get cardanoforgeclusters -o name
            kubectl patch cardanoforgeCluster us-west-2-prod --type=merge -p='{"spec":{"override":{"enabled":false}}}'
            kubectl patch cardanoforgeCluster us-west-2-prod --subresource=status --type=merge -p='{"status":{"message":"x"}}'
            kubectl get pods
            kubectl get leases
            """);

        Assert.Contains("cardanoforgecluster.cardano.io/us-east-1-prod", result.Stdout);
        // kubectl reads an object before patching it; the coordinators patch without reading, so the Role grants no
        // get on cardanoforgeclusters or their status, and kubectl as this account cannot patch (a real apiserver
        // refuses kubectl the same way). Actors.Tests makes the coordinators' own calls as this account.
        Assert.Contains(
            "Error from server (Forbidden): cardanoforgeclusters.cardano.io \"us-west-2-prod\" is forbidden: User \"system:serviceaccount:cardano:forge-manager\" cannot get resource \"cardanoforgeclusters\" in API group \"cardano.io\" in the namespace \"cardano\"",
            result.Stderr);
        Assert.Contains(
            "Error from server (Forbidden): cardanoforgeclusters.cardano.io \"us-west-2-prod\" is forbidden: User \"system:serviceaccount:cardano:forge-manager\" cannot get resource \"cardanoforgeclusters/status\" in API group \"cardano.io\" in the namespace \"cardano\"",
            result.Stderr);
        Assert.Contains(
            "Error from server (Forbidden): pods is forbidden: User \"system:serviceaccount:cardano:forge-manager\" cannot list resource \"pods\" in API group \"\" in the namespace \"cardano\"",
            result.Stderr);
        Assert.Contains(
            "Error from server (Forbidden): leases.coordination.k8s.io is forbidden: User \"system:serviceaccount:cardano:forge-manager\" cannot list resource \"leases\" in API group \"coordination.k8s.io\" in the namespace \"cardano\"",
            result.Stderr);
    }

    [Fact]
    public async Task Impersonation_runs_a_request_as_the_node_account()
    {
        var result = await emulator.Kubectl("kubectl get cardanoforgeclusters --as=system:serviceaccount:cardano:cardano-node");

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("User \"system:serviceaccount:cardano:cardano-node\" cannot list resource \"cardanoforgeclusters\"", result.Stderr);
    }

    // kubectl reads "cardanoforgeclusters/status" as TYPE/NAME (a cluster named "status"), so the guide's command asks
    // whether the account may PUT a whole CardanoForgeCluster. The coordinators never do (they merge-patch), so under
    // least privilege the honest answer is no; the README says to ask about the status subresource instead.
    [Fact]
    public async Task The_guides_status_check_answers_no_and_the_subresource_check_answers_yes()
    {
        var guide = await emulator.Kubectl(GuideCommands.CoordinatorCanWriteStatus);
        var corrected = await emulator.Kubectl(
            "kubectl auth can-i patch cardanoforgeclusters --subresource=status --as=system:serviceaccount:cardano:forge-manager");

        Assert.Equal((1, "no\n"), (guide.ExitCode, guide.Stdout));
        Assert.Equal((0, "yes\n"), (corrected.ExitCode, corrected.Stdout));
    }

    [Theory]
    [InlineData("deletecollection cardanoforgeclusters", "forge-manager")]
    [InlineData("get cardanoforgeclusters", "forge-manager")]
    [InlineData("update cardanoforgeclusters", "forge-manager")]
    [InlineData("update cardanoforgeclusters --subresource=status", "forge-manager")]
    [InlineData("patch events", "forge-manager")]
    [InlineData("create events.events.k8s.io", "forge-manager")]
    [InlineData("get secrets", "forge-manager")]
    [InlineData("get cardanoforgeclusters --subresource=status", "forge-manager")]
    [InlineData("update leases", "forge-manager")]
    [InlineData("list pods", "forge-manager")]
    [InlineData("patch pods", "forge-manager")]
    [InlineData("deletecollection pods", "forge-manager")]
    [InlineData("update cardanoforgeclusters", "cardano-node")]
    [InlineData("list events", "cardano-node")]
    [InlineData("delete leases", "cardano-node")]
    public async Task Nothing_beyond_the_list_is_allowed(string verbAndResource, string account)
    {
        var result = await emulator.Kubectl($"kubectl auth can-i {verbAndResource} --as=system:serviceaccount:cardano:{account}");

        Assert.Equal((1, "no\n"), (result.ExitCode, result.Stdout));
    }

    [Theory]
    [InlineData("list cardanoforgeclusters", "forge-manager")]
    [InlineData("watch cardanoforgeclusters", "forge-manager")]
    [InlineData("patch cardanoforgeclusters", "forge-manager")]
    [InlineData("create cardanoforgeclusters", "forge-manager")]
    [InlineData("delete cardanoforgeclusters", "forge-manager")]
    [InlineData("patch cardanoforgeclusters --subresource=status", "forge-manager")]
    [InlineData("create events", "forge-manager")]
    [InlineData("get pods", "forge-manager")]
    [InlineData("delete pods", "forge-manager")]
    [InlineData("update leases", "cardano-node")]
    [InlineData("create leases", "cardano-node")]
    public async Task What_each_part_needs_is_allowed(string verbAndResource, string account)
    {
        var result = await emulator.Kubectl($"kubectl auth can-i {verbAndResource} --as=system:serviceaccount:cardano:{account}");

        Assert.Equal((0, "yes\n"), (result.ExitCode, result.Stdout));
    }
}
