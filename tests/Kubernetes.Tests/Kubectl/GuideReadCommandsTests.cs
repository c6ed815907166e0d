using Forge.Kubernetes.Tests.Support;

namespace Forge.Kubernetes.Tests.Kubectl;

/// <summary>The guide's read-only kubectl commands, verbatim, against the emulator with the guide's three clusters.</summary>
public sealed class GuideReadCommandsTests(EmulatorFixture emulator) : IClassFixture<EmulatorFixture>, IAsyncLifetime
{
    public Task InitializeAsync() => emulator.ResetClustersAsync();

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task Get_wide_prints_the_quick_start_columns_and_values()
    {
        var result = await emulator.Kubectl(GuideCommands.GetWide);

        Assert.True(result.ExitCode == 0, result.ToString());
        var table = PrintedTable.Parse(result.Stdout);
        Assert.Equal(["NAME", "STATE", "PRIORITY", "REGION", "ACTIVE LEADER", "HEALTHY", "AGE"], table.Headers);
        Assert.Equal(["eu-west-1-prod", "us-east-1-prod", "us-west-2-prod"], table.Rows.Select(r => r["NAME"]));
        var primary = table.Row("us-east-1-prod");
        Assert.Equal(("Priority-based", "1", "us-east-1", "cardano-bp-0", "true"),
            (primary["STATE"], primary["PRIORITY"], primary["REGION"], primary["ACTIVE LEADER"], primary["HEALTHY"]));
        var secondary = table.Row("us-west-2-prod");
        Assert.Equal(("Priority-based", "2", "us-west-2", "", "true"),
            (secondary["STATE"], secondary["PRIORITY"], secondary["REGION"], secondary["ACTIVE LEADER"], secondary["HEALTHY"]));
        Assert.Matches(@"^\d+s$", primary["AGE"]);
    }

    [Fact]
    public async Task Get_without_wide_prints_the_troubleshooting_columns()
    {
        var result = await emulator.Kubectl(GuideCommands.GetPlain);

        Assert.True(result.ExitCode == 0, result.ToString());
        var table = PrintedTable.Parse(result.Stdout);
        Assert.Equal(["NAME", "STATE", "PRIORITY", "ACTIVE LEADER"], table.Headers);
        Assert.Equal("cardano-bp-0", table.Row("us-east-1-prod")["ACTIVE LEADER"]);
    }

    [Fact]
    public async Task Jsonpath_on_the_mixed_case_kind_prints_spec_priority()
    {
        var primary = await emulator.Kubectl(GuideCommands.PrimaryPriority);
        var secondary = await emulator.Kubectl(GuideCommands.SecondaryPriority);

        Assert.Equal("1", primary.Stdout);
        Assert.Equal("2", secondary.Stdout);
    }

    [Fact]
    public async Task Morning_checklist_custom_columns_show_status()
    {
        var result = await emulator.Kubectl(GuideCommands.MorningChecklist);

        Assert.True(result.ExitCode == 0, result.ToString());
        var table = PrintedTable.Parse(result.Stdout);
        Assert.Equal(["NAME", "STATE", "PRIORITY", "LEADER", "HEALTHY"], table.Headers);
        var primary = table.Row("us-east-1-prod");
        Assert.Equal(("Priority-based", "1", "cardano-bp-0", "true"), (primary["STATE"], primary["PRIORITY"], primary["LEADER"], primary["HEALTHY"]));
        Assert.Equal("", table.Row("eu-west-1-prod")["LEADER"]);
    }

    [Fact]
    public async Task Priority_review_is_sorted_by_spec_priority()
    {
        var result = await emulator.Kubectl(GuideCommands.PriorityReview);

        Assert.True(result.ExitCode == 0, result.ToString());
        var table = PrintedTable.Parse(result.Stdout);
        Assert.Equal(["us-east-1-prod", "us-west-2-prod", "eu-west-1-prod"], table.Rows.Select(r => r["NAME"]));
        Assert.Equal(["1", "2", "3"], table.Rows.Select(r => r["PRIORITY"]));
    }

    [Fact]
    public async Task Healthy_flags_follow_the_status_in_list_order()
    {
        var unhealthy = EmulatorFixture.SampleStatus(1, forging: true, healthy: false);
        await emulator.WriteStatusAsync("us-east-1-prod", unhealthy);

        var result = await emulator.Kubectl(GuideCommands.HealthyFlags);

        // list order is by name, as on a real apiserver: eu-west-1, us-east-1, us-west-2
        Assert.Equal("true false true", result.Stdout);
    }

    [Fact]
    public async Task Health_endpoints_come_out_of_the_json_list()
    {
        var result = await emulator.Kubectl(GuideCommands.HealthEndpoints);

        Assert.True(result.ExitCode == 0, result.ToString());
        var endpoints = result.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(3, endpoints.Length);
        Assert.All(endpoints, e => Assert.StartsWith("http://", e));
    }

    [Fact]
    public async Task Describe_shows_spec_status_and_the_clusters_events()
    {
        await emulator.CreateEventAsync("us-east-1-prod", "ForgingMoved", "forging moved to us-east-1-prod/cardano-bp-0");

        var all = await emulator.Kubectl(GuideCommands.DescribeAll);
        var one = await emulator.Kubectl(GuideCommands.DescribeOne);

        Assert.True(all.ExitCode == 0, all.ToString());
        foreach (var name in new[] { "us-east-1-prod", "us-west-2-prod", "eu-west-1-prod" })
        {
            Assert.Contains($"Name:         {name}", all.Stdout);
        }

        Assert.True(one.ExitCode == 0, one.ToString());
        Assert.Contains("Kind:         CardanoForgeCluster", one.Stdout);
        Assert.Contains("Active Leader:", one.Stdout);
        Assert.Matches(@"Normal\s+ForgingMoved\s+.*forging moved to us-east-1-prod/cardano-bp-0", one.Stdout);
    }

    [Fact]
    public async Task Get_one_cluster_wide_prints_one_row()
    {
        var result = await emulator.Kubectl(GuideCommands.GetPrimaryWide);

        Assert.True(result.ExitCode == 0, result.ToString());
        var table = PrintedTable.Parse(result.Stdout);
        Assert.Equal("us-east-1-prod", Assert.Single(table.Rows)["NAME"]);
    }
}
