using System.Text.Json.Nodes;
using Forge.Kubernetes.Tests.Support;

namespace Forge.Kubernetes.Tests.Kubectl;

/// <summary>
/// The guide's patch/delete commands and scripts, verbatim, and what they leave in the stored spec. (What the
/// coordinator then does with that spec is tested once the CRD projection exists.)
/// </summary>
public sealed class GuideWriteCommandsTests(EmulatorFixture emulator) : IClassFixture<EmulatorFixture>, IAsyncLifetime
{
    public Task InitializeAsync() => emulator.ResetClustersAsync();

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task Maintenance_script_disables_the_primary_with_an_expiring_override()
    {
        var before = DateTimeOffset.UtcNow;

        var result = await emulator.Kubectl($"{GuideCommands.MaintenanceVariables}\n{GuideCommands.MaintenanceDisablePrimary}\n{GuideCommands.MaintenanceVerifySecondary}");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.StartsWith("cardanoforgecluster.cardano.io/us-east-1-prod patched", result.Stdout);
        var spec = await SpecOf("us-east-1-prod");
        Assert.Equal("Disabled", (string?)spec["forgeState"]);
        Assert.True((bool?)spec["override"]!["enabled"]);
        Assert.Equal("Scheduled maintenance", (string?)spec["override"]!["reason"]);
        var expiresAt = (string)spec["override"]!["expiresAt"]!;
        Assert.EndsWith("+00:00", expiresAt);
        var expiry = DateTimeOffset.Parse(expiresAt);
        Assert.InRange(expiry - before, TimeSpan.FromHours(4) - TimeSpan.FromMinutes(1), TimeSpan.FromHours(4) + TimeSpan.FromMinutes(1));
        Assert.Equal(2L, (long?)(await emulator.GetClusterAsync("us-east-1-prod"))!["metadata"]!["generation"]);
    }

    [Fact]
    public async Task Restore_script_returns_the_primary_to_priority_based()
    {
        await emulator.Kubectl($"{GuideCommands.MaintenanceVariables}\n{GuideCommands.MaintenanceDisablePrimary}");

        var result = await emulator.Kubectl($"{GuideCommands.RestoreVariables}\n{GuideCommands.RestorePrimary}\n{GuideCommands.RestoreVerifyPrimary}\n{GuideCommands.GetWide}");

        Assert.True(result.ExitCode == 0, result.ToString());
        var spec = await SpecOf("us-east-1-prod");
        Assert.Equal("Priority-based", (string?)spec["forgeState"]);
        Assert.False((bool?)spec["override"]!["enabled"]);
        Assert.Contains("cardano-bp-0", result.Stdout);
    }

    [Fact]
    public async Task Emergency_failover_disables_the_failed_cluster_and_forces_the_backup_without_expiry()
    {
        var result = await emulator.Kubectl($"{GuideCommands.EmergencyVariables}\n{GuideCommands.EmergencyDisableFailed}\n{GuideCommands.EmergencyForceBackup}\n{GuideCommands.EmergencyVerifyBackup}");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.DoesNotContain("WARNING", result.Stdout);
        var failed = await SpecOf("us-east-1-prod");
        Assert.Equal("Disabled", (string?)failed["forgeState"]);
        Assert.Equal("Emergency failover - primary cluster failure", (string?)failed["override"]!["reason"]);
        var backup = await SpecOf("us-west-2-prod");
        Assert.True((bool?)backup["override"]!["enabled"]);
        Assert.Equal(1L, (long?)backup["override"]!["forcePriority"]);
        Assert.Null(backup["override"]!["expiresAt"]);
        Assert.Equal("Priority-based", (string?)backup["forgeState"]);
        Assert.Equal("us-west-2-prod", PrintedTable.Parse(result.Stdout[result.Stdout.IndexOf("NAME", StringComparison.Ordinal)..]).Rows.Single()["NAME"]);
    }

    [Fact]
    public async Task Emergency_failover_warns_but_continues_when_the_failed_cluster_is_gone()
    {
        await emulator.Kubectl(GuideCommands.DeletePrimary);

        var result = await emulator.Kubectl($"{GuideCommands.EmergencyVariables}\n{GuideCommands.EmergencyDisableFailed}\n{GuideCommands.EmergencyForceBackup}");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("WARNING: Failed to update failed cluster", result.Stdout);
        Assert.Contains("Error from server (NotFound): cardanoforgeclusters.cardano.io \"us-east-1-prod\" not found", result.Stderr);
        Assert.Equal(1L, (long?)(await SpecOf("us-west-2-prod"))["override"]!["forcePriority"]);
    }

    [Fact]
    public async Task Disabling_all_secondaries_leaves_only_the_highest_priority_cluster()
    {
        var result = await emulator.Kubectl(GuideCommands.DisableAllSecondaries);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal("Priority-based", (string?)(await SpecOf("us-east-1-prod"))["forgeState"]);
        Assert.Equal("Disabled", (string?)(await SpecOf("us-west-2-prod"))["forgeState"]);
        Assert.Equal("Disabled", (string?)(await SpecOf("eu-west-1-prod"))["forgeState"]);
    }

    [Fact]
    public async Task Enabling_the_primary_sets_priority_based()
    {
        await emulator.Kubectl("kubectl patch cardanoforgeCluster us-east-1-prod --type='merge' -p='{\"spec\":{\"forgeState\":\"Disabled\"}}'");

        var result = await emulator.Kubectl($"{GuideCommands.EnablePrimary}\n{GuideCommands.GetPrimaryWide}");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal("Priority-based", (string?)(await SpecOf("us-east-1-prod"))["forgeState"]);
    }

    [Fact]
    public async Task Health_checks_can_be_disabled_and_the_endpoint_is_kept()
    {
        var result = await emulator.Kubectl($"{GuideCommands.HealthEndpointOfPrimary}\necho \"$ENDPOINT\"\n{GuideCommands.DisablePrimaryHealthChecks}");

        Assert.True(result.ExitCode == 0, result.ToString());
        var health = (await SpecOf("us-east-1-prod"))["healthCheck"]!;
        Assert.False((bool?)health["enabled"]);
        Assert.Equal(result.Stdout.Split('\n')[0], (string?)health["endpoint"]);
    }

    [Fact]
    public async Task Repeating_a_patch_reports_no_change_and_keeps_the_resource_version()
    {
        await emulator.Kubectl(GuideCommands.EnablePrimary);
        var rv = (string?)(await emulator.GetClusterAsync("us-east-1-prod"))!["metadata"]!["resourceVersion"];

        var result = await emulator.Kubectl(GuideCommands.EnablePrimary);

        Assert.Equal("cardanoforgecluster.cardano.io/us-east-1-prod patched (no change)\n", result.Stdout);
        Assert.Equal(rv, (string?)(await emulator.GetClusterAsync("us-east-1-prod"))!["metadata"]!["resourceVersion"]);
    }

    [Fact]
    public async Task Deleting_the_primary_removes_it_and_applying_its_manifest_brings_it_back()
    {
        var deleted = await emulator.Kubectl(GuideCommands.DeletePrimary);

        Assert.Equal("cardanoforgecluster.cardano.io \"us-east-1-prod\" deleted\n", deleted.Stdout);
        Assert.Null(await emulator.GetClusterAsync("us-east-1-prod"));
        var listed = PrintedTable.Parse((await emulator.Kubectl(GuideCommands.GetWide)).Stdout);
        Assert.Equal(["eu-west-1-prod", "us-west-2-prod"], listed.Rows.Select(r => r["NAME"]));

        var applied = await emulator.Kubectl("kubectl apply -f deploy/overlays/us-east-1/cardanoforgecluster.yaml");

        Assert.Equal("cardanoforgecluster.cardano.io/us-east-1-prod created\n", applied.Stdout);
        var spec = await SpecOf("us-east-1-prod");
        Assert.Equal(1L, (long?)spec["priority"]);
        Assert.Equal("unchanged", (await emulator.Kubectl("kubectl apply -f deploy/overlays/us-east-1/cardanoforgecluster.yaml")).Stdout.Trim().Split(' ')[^1]);
    }

    private async Task<JsonNode> SpecOf(string name) =>
        (await emulator.GetClusterAsync(name))?["spec"] ?? throw new InvalidOperationException($"{name} not found");
}
