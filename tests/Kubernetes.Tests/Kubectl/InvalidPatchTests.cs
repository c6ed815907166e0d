using Forge.Kubernetes.Tests.Support;

namespace Forge.Kubernetes.Tests.Kubectl;

/// <summary>Bad values are refused by the schema with the apiserver's messages, and nothing is stored.</summary>
public sealed class InvalidPatchTests(EmulatorFixture emulator) : IClassFixture<EmulatorFixture>, IAsyncLifetime
{
    public Task InitializeAsync() => emulator.ResetClustersAsync();

    public Task DisposeAsync() => Task.CompletedTask;

    [Theory]
    [InlineData("{\"spec\":{\"priority\":0}}",
        "The CardanoForgeCluster \"us-east-1-prod\" is invalid: spec.priority: Invalid value: 0: spec.priority in body should be greater than or equal to 1")]
    [InlineData("{\"spec\":{\"priority\":1000}}",
        "The CardanoForgeCluster \"us-east-1-prod\" is invalid: spec.priority: Invalid value: 1000: spec.priority in body should be less than or equal to 999")]
    [InlineData("{\"spec\":{\"forgeState\":\"Maybe\"}}",
        "The CardanoForgeCluster \"us-east-1-prod\" is invalid: spec.forgeState: Unsupported value: \"Maybe\": supported values: \"Priority-based\", \"Enabled\", \"Disabled\"")]
    [InlineData("{\"spec\":{\"override\":{\"forceState\":\"On\"}}}",
        "The CardanoForgeCluster \"us-east-1-prod\" is invalid: spec.override.forceState: Unsupported value: \"On\": supported values: \"Priority-based\", \"Enabled\", \"Disabled\"")]
    [InlineData("{\"spec\":{\"override\":{\"enabled\":true,\"expiresAt\":\"in 4 hours\"}}}",
        "The CardanoForgeCluster \"us-east-1-prod\" is invalid: spec.override.expiresAt: Invalid value: \"in 4 hours\": spec.override.expiresAt in body must be of type date-time: \"in 4 hours\"")]
    [InlineData("{\"spec\":{\"priority\":\"1\"}}",
        "The CardanoForgeCluster \"us-east-1-prod\" is invalid: spec.priority: Invalid value: \"string\": spec.priority in body must be of type integer: \"string\"")]
    [InlineData("{\"spec\":{\"healthCheck\":{\"failureThreshold\":0}}}",
        "The CardanoForgeCluster \"us-east-1-prod\" is invalid: spec.healthCheck.failureThreshold: Invalid value: 0: spec.healthCheck.failureThreshold in body should be greater than or equal to 1")]
    [InlineData("{\"spec\":{\"region\":\"US_EAST\"}}",
        "The CardanoForgeCluster \"us-east-1-prod\" is invalid: spec.region: Invalid value: \"US_EAST\": spec.region in body should match '^[a-z0-9]([-a-z0-9]*[a-z0-9])?$'")]
    public async Task Invalid_values_are_refused_and_nothing_changes(string patch, string message)
    {
        var before = (await emulator.GetClusterAsync("us-east-1-prod"))!.ToJsonString();

        var result = await emulator.Kubectl($"kubectl patch cardanoforgeCluster us-east-1-prod --type='merge' -p='{patch}'");

        Assert.Equal(1, result.ExitCode);
        Assert.Equal(message + "\n", result.Stderr);
        Assert.Equal(before, (await emulator.GetClusterAsync("us-east-1-prod"))!.ToJsonString());
    }

    [Fact]
    public async Task Several_errors_are_listed_like_the_apiserver_lists_them()
    {
        var result = await emulator.Kubectl("kubectl patch cardanoforgeCluster us-east-1-prod --type='merge' -p='{\"spec\":{\"priority\":0,\"forgeState\":\"Maybe\"}}'");

        Assert.Equal(1, result.ExitCode);
        Assert.StartsWith("The CardanoForgeCluster \"us-east-1-prod\" is invalid: \n* ", result.Stderr);
        Assert.Contains("* spec.priority: Invalid value: 0: spec.priority in body should be greater than or equal to 1", result.Stderr);
        Assert.Contains("* spec.forgeState: Unsupported value: \"Maybe\"", result.Stderr);
    }

    [Fact]
    public async Task A_strategic_merge_patch_is_refused_as_on_a_real_cluster()
    {
        var result = await emulator.Kubectl("kubectl patch cardanoforgeCluster us-east-1-prod -p='{\"spec\":{\"forgeState\":\"Disabled\"}}'");

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("application/strategic-merge-patch+json is not supported by cardano.io/v1, Kind=CardanoForgeCluster", result.Stderr);
    }

    [Fact]
    public async Task Creating_a_cluster_without_region_or_priority_is_refused()
    {
        var result = await emulator.Kubectl("""
            kubectl apply -f - <<'EOF'
            apiVersion: cardano.io/v1
            kind: CardanoForgeCluster
            metadata:
              name: incomplete
            spec:
              forgeState: Enabled
            EOF
            """);

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("spec.region: Required value", result.Stderr);
        Assert.Contains("spec.priority: Required value", result.Stderr);
        Assert.Null(await emulator.GetClusterAsync("incomplete"));
    }

    [Fact]
    public async Task Status_written_in_a_manifest_is_ignored_and_status_patches_do_not_touch_spec()
    {
        var rvBefore = (string?)(await emulator.GetClusterAsync("us-west-2-prod"))!["metadata"]!["generation"]?.ToJsonString();

        var result = await emulator.Kubectl("kubectl patch cardanoforgeCluster us-west-2-prod --subresource=status --type='merge' -p='{\"spec\":{\"priority\":7},\"status\":{\"activeLeader\":\"x-0\"}}'");

        Assert.True(result.ExitCode == 0, result.ToString());
        var stored = (await emulator.GetClusterAsync("us-west-2-prod"))!;
        Assert.Equal(2L, (long?)stored["spec"]!["priority"]);
        Assert.Equal("x-0", (string?)stored["status"]!["activeLeader"]);
        Assert.Equal(rvBefore, stored["metadata"]!["generation"]?.ToJsonString());
    }
}
