using System.Globalization;
using System.Text.RegularExpressions;
using Forge.Monitoring.Tests.Support;

namespace Forge.Monitoring.Tests.Scripts;

/// <summary>
/// The guide's scripts against fake kubectl/curl/sleep: the exact kubectl calls, and waits that
/// follow WAIT_SECONDS / POLL_SECONDS. (Runs against the sandbox live elsewhere.)
/// </summary>
public sealed partial class GuideScriptTests : IDisposable
{
    private const string Leader = "-o jsonpath={.status.activeLeader}";
    private const string ListNames = "get cardanoforgeclusters -o jsonpath={range .items[*]}{.metadata.name}{\"\\n\"}{end}";
    private const string ThreeClusters = "us-east-1-prod\nus-west-2-prod\neu-west-1-prod\n";
    private readonly FakeTools _fake = new();

    public void Dispose() => _fake.Dispose();

    [Fact]
    public void Failover_for_maintenance_disables_the_primary_and_waits_for_the_secondary()
    {
        _fake.On("kubectl", $"us-west-2-prod {Leader}", new Reply(""), new Reply(""), new Reply("cardano-bp-0"))
             .On("kubectl", $"us-east-1-prod {Leader}", "")
             .On("curl", "/api/v1/query", """{"status":"success","data":{"resultType":"vector","result":[]}}""");

        var result = _fake.Run("failover-for-maintenance.sh", new Dictionary<string, string> { ["POLL_SECONDS"] = "7" });

        Assert.True(result.ExitCode == 0, result.ToString());
        var expires = new List<string>();
        Calls.Equal(
        [
            "get cardanoforgeclusters -o wide",
            """patch cardanoforgeCluster us-east-1-prod --type=merge -p={"spec":{"forgeState":"Disabled","override":{"enabled":true,"reason":"Scheduled maintenance","expiresAt":"EXPIRES"}}}""",
            $"get cardanoforgeCluster us-west-2-prod {Leader}",
            $"get cardanoforgeCluster us-west-2-prod {Leader}",
            $"get cardanoforgeCluster us-west-2-prod {Leader}",
            $"get cardanoforgeCluster us-east-1-prod {Leader}",
            $"get cardanoforgeCluster us-west-2-prod {Leader}",
        ], Calls.Normalise(_fake.Calls("kubectl"), expires));
        AssertRfc3339Around(Assert.Single(expires), TimeSpan.FromHours(4));
        Assert.Equal(["7", "7"], _fake.Calls("sleep").Select(a => string.Join(' ', a)));
        // the query is sent url-encoded, not glued into the URL where curl would eat its braces
        Calls.Equal(
            ["-sS -G --max-time 10 http://monitoring.example.com/api/v1/query --data-urlencode query=cardano_cluster_forge_enabled{cluster=\"us-west-2-prod\"}"],
            Calls.Normalise(_fake.Calls("curl")));
        Assert.Contains("Failover complete. Perform maintenance on us-east-1-prod", result.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void Failover_for_maintenance_takes_cluster_names_hours_and_monitoring_url()
    {
        _fake.On("kubectl", $"b {Leader}", "pod-1").On("kubectl", $"a {Leader}", "");

        var result = _fake.Run(
            "failover-for-maintenance.sh",
            new Dictionary<string, string> { ["MAINTENANCE_HOURS"] = "1", ["MONITORING_URL"] = "http://prom:9090/", ["KUBE_CONTEXT"] = "east" },
            "a", "b");

        Assert.True(result.ExitCode == 0, result.ToString());
        var expires = new List<string>();
        var calls = Calls.Normalise(_fake.Calls("kubectl"), expires);
        Assert.StartsWith("--context east patch cardanoforgeCluster a ", calls[1], StringComparison.Ordinal);
        Assert.All(calls, c => Assert.StartsWith("--context east ", c, StringComparison.Ordinal));
        AssertRfc3339Around(Assert.Single(expires), TimeSpan.FromHours(1));
        Assert.Contains("http://prom:9090/api/v1/query", Assert.Single(_fake.Calls("curl")));
        Assert.Empty(_fake.Calls("sleep"));
    }

    [Fact]
    public void Failover_for_maintenance_fails_plainly_when_the_secondary_never_takes_over()
    {
        _fake.On("kubectl", $"us-west-2-prod {Leader}", "");

        var result = _fake.Run("failover-for-maintenance.sh", new Dictionary<string, string> { ["WAIT_SECONDS"] = "0", ["MONITORING_URL"] = "" });

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("TIMEOUT: handover from us-east-1-prod to us-west-2-prod did not happen within 0s", result.Stderr, StringComparison.Ordinal);
        Assert.Contains("FAILOVER NOT COMPLETE", result.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("Failover complete", result.Stdout, StringComparison.Ordinal);
        Assert.Empty(_fake.Calls("sleep"));
        Assert.Empty(_fake.Calls("curl"));
    }

    [Fact]
    public void Failover_for_maintenance_stops_when_the_patch_fails()
    {
        _fake.On("kubectl", "patch", new Reply("", 1, "Error from server (NotFound)"));

        var result = _fake.Run("failover-for-maintenance.sh");

        Assert.NotEqual(0, result.ExitCode);
        Assert.Equal(2, _fake.Calls("kubectl").Count);
        Assert.DoesNotContain("Failover complete", result.Stdout, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("failover-for-maintenance.sh", "WAIT_SECONDS", "1.5")]
    [InlineData("failover-for-maintenance.sh", "MAINTENANCE_HOURS", "four")]
    [InlineData("test-failover.sh", "TEST_OVERRIDE_MINUTES", "-5")]
    [InlineData("restore-primary.sh", "POLL_SECONDS", "2s")]
    public void A_bad_number_stops_before_any_change(string script, string setting, string value)
    {
        var result = _fake.Run(script, new Dictionary<string, string> { [setting] = value });

        Assert.Equal(2, result.ExitCode);
        Assert.Contains($"{setting} must be a whole number", result.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain(_fake.Calls("kubectl"), c => c.Contains("patch"));
    }

    [Fact]
    public void Restore_after_maintenance_re_enables_the_primary_and_waits_for_it()
    {
        _fake.On("kubectl", $"us-east-1-prod {Leader}", new Reply(""), new Reply("cardano-bp-1"));

        var result = _fake.Run("restore-after-maintenance.sh", new Dictionary<string, string> { ["POLL_SECONDS"] = "5" });

        Assert.True(result.ExitCode == 0, result.ToString());
        Calls.Equal(
        [
            """patch cardanoforgeCluster us-east-1-prod --type=merge -p={"spec":{"forgeState":"Priority-based","override":{"enabled":false}}}""",
            $"get cardanoforgeCluster us-east-1-prod {Leader}",
            $"get cardanoforgeCluster us-east-1-prod {Leader}",
            $"get cardanoforgeCluster us-east-1-prod {Leader}",
            "get cardanoforgeclusters -o wide",
        ], Calls.Normalise(_fake.Calls("kubectl")));
        Assert.Equal(["5"], _fake.Calls("sleep").Select(a => a[0]));
        Assert.Contains("Restore complete. Primary cluster is active again.", result.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void Emergency_failover_goes_on_when_the_failed_cluster_cannot_be_patched()
    {
        _fake.On("kubectl", "patch cardanoforgeCluster us-east-1-prod", new Reply("", 1, "Unable to connect to the server"))
             .On("kubectl", $"us-west-2-prod {Leader}", new Reply(""), new Reply("cardano-bp-0"));

        var result = _fake.Run("emergency-failover.sh");

        Assert.True(result.ExitCode == 0, result.ToString());
        Calls.Equal(
        [
            """patch cardanoforgeCluster us-east-1-prod --type=merge --request-timeout=10s -p={"spec":{"forgeState":"Disabled","override":{"enabled":true,"reason":"Emergency failover - primary cluster failure"}}}""",
            """patch cardanoforgeCluster us-west-2-prod --type=merge -p={"spec":{"override":{"enabled":true,"reason":"Emergency failover","forcePriority":1}}}""",
            $"get cardanoforgeCluster us-west-2-prod {Leader}",
            $"get cardanoforgeCluster us-west-2-prod {Leader}",
            "get cardanoforgeCluster us-west-2-prod -o wide",
        ], Calls.Normalise(_fake.Calls("kubectl")));
        Assert.Contains("WARNING: Failed to update failed cluster (expected if cluster is down)", result.Stdout, StringComparison.Ordinal);
        Assert.Contains("EMERGENCY FAILOVER COMPLETE", result.Stdout, StringComparison.Ordinal);
        Assert.Equal(["2"], _fake.Calls("sleep").Select(a => a[0]));
    }

    public static readonly TheoryData<string> WaitingScripts = new()
    {
        "failover-for-maintenance.sh",
        "restore-after-maintenance.sh",
        "emergency-failover.sh",
        "test-failover.sh",
        "restore-primary.sh",
    };

    [Theory]
    [MemberData(nameof(WaitingScripts))]
    public void A_wait_of_zero_seconds_checks_once_and_fails(string script)
    {
        _fake.On("kubectl", ListNames, ThreeClusters);

        var result = _fake.Run(script, new Dictionary<string, string> { ["WAIT_SECONDS"] = "0", ["MONITORING_URL"] = "" });

        Assert.True(result.ExitCode == 1, result.ToString());
        Assert.Contains("TIMEOUT:", result.Stderr, StringComparison.Ordinal);
        Assert.Contains("within 0s", result.Stderr, StringComparison.Ordinal);
        Assert.Empty(_fake.Calls("sleep"));
    }

    /// <summary>Each waiting script and the cluster it waits for.</summary>
    public static readonly TheoryData<string, string> WaitTargets = new()
    {
        { "failover-for-maintenance.sh", "us-west-2-prod" },
        { "restore-after-maintenance.sh", "us-east-1-prod" },
        { "emergency-failover.sh", "us-west-2-prod" },
        { "test-failover.sh", "us-west-2-prod" },
        { "restore-primary.sh", "us-east-1-prod" },
    };

    [Theory]
    [MemberData(nameof(WaitTargets))]
    public void Waits_never_sleep_past_their_deadline(string script, string target)
    {
        // POLL_SECONDS larger than WAIT_SECONDS: the one pause is cut to what is left of the wait.
        _fake.On("kubectl", ListNames, ThreeClusters)
             .On("kubectl", "override.reason", "")
             .On("kubectl", $"{target} {Leader}", new Reply(""), new Reply("cardano-bp-0"))
             .On("kubectl", Leader, "");

        var result = _fake.Run(script, new Dictionary<string, string> { ["WAIT_SECONDS"] = "30", ["POLL_SECONDS"] = "600", ["MONITORING_URL"] = "" });

        Assert.True(result.ExitCode == 0, result.ToString());
        var sleep = Assert.Single(_fake.Calls("sleep"));
        Assert.InRange(int.Parse(Assert.Single(sleep), CultureInfo.InvariantCulture), 1, 30);
    }

    [Fact]
    public void Test_failover_prefers_the_target_until_the_override_expires_and_checks_it_forges_alone()
    {
        _fake.On("kubectl", ListNames, ThreeClusters)
             .On("kubectl", $"us-west-2-prod {Leader}", new Reply(""), new Reply("cardano-bp-1"))
             .On("kubectl", Leader, "")
             .On("curl", "query=sum(cardano_cluster_forge_enabled)", """{"status":"success","data":{"resultType":"vector","result":[{"metric":{},"value":[1,"1"]}]}}""")
             .On("curl", "query=sum(cardano_cluster_forge_enabled{", """{"status":"success","data":{"resultType":"vector","result":[{"metric":{},"value":[1,"1"]}]}}""");

        var result = _fake.Run("test-failover.sh", null, "us-west-2-prod");

        Assert.True(result.ExitCode == 0, result.ToString());
        var expires = new List<string>();
        Calls.Equal(
        [
            "get cardanoforgeclusters -o wide",
            ListNames,
            """patch cardanoforgeCluster us-west-2-prod --type=merge -p={"spec":{"override":{"enabled":true,"reason":"Failover test (test-failover.sh)","forceState":"Enabled","expiresAt":"EXPIRES"}}}""",
            $"get cardanoforgeCluster us-west-2-prod {Leader}",
            $"get cardanoforgeCluster us-west-2-prod {Leader}",
            $"get cardanoforgeCluster us-east-1-prod {Leader}",
            $"get cardanoforgeCluster eu-west-1-prod {Leader}",
            "get cardanoforgeclusters -o wide",
        ], Calls.Normalise(_fake.Calls("kubectl"), expires));
        AssertRfc3339Around(Assert.Single(expires), TimeSpan.FromMinutes(60));
        Assert.Contains("forging nodes in total: 1, in us-west-2-prod: 1", result.Stdout, StringComparison.Ordinal);
        Assert.Contains("FAILOVER TEST PASSED", result.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void Test_failover_refuses_an_unknown_cluster_without_changing_anything()
    {
        _fake.On("kubectl", ListNames, ThreeClusters);

        var result = _fake.Run("test-failover.sh", null, "ap-south-1-prod");

        Assert.Equal(2, result.ExitCode);
        Assert.DoesNotContain(_fake.Calls("kubectl"), c => c.Contains("patch"));
    }

    [Fact]
    public void Monthly_test_fails_over_holds_for_the_run_time_while_checking_and_restores()
    {
        _fake.On("kubectl", ListNames, ThreeClusters)
             .On("kubectl", "override.reason", "us-west-2-prod|true|Failover test (test-failover.sh)\n")
             .On("kubectl", $"us-west-2-prod {Leader}", new Reply(""), new Reply("bp-1"), new Reply("bp-1"), new Reply("bp-1"), new Reply("bp-1"), new Reply("bp-1"), new Reply(""))
             .On("kubectl", $"us-east-1-prod {Leader}", new Reply(""), new Reply("bp-0"))
             .On("kubectl", Leader, "");

        var result = _fake.Run("monthly-failover-test.sh", new Dictionary<string, string>
        {
            ["RUN_SECONDS"] = "10", ["POLL_SECONDS"] = "4", ["MONITORING_URL"] = "",
        });

        Assert.True(result.ExitCode == 0, result.ToString());
        // one pause while test-failover waits, then the run: 4 + 4 + 2 = RUN_SECONDS
        Assert.Equal(["4", "4", "4", "2"], _fake.Calls("sleep").Select(a => a[0]));
        Assert.Equal(7, _fake.Calls("kubectl").Count(c => c.Contains("us-west-2-prod") && c.Contains("jsonpath={.status.activeLeader}")));
        Assert.Contains(_fake.Calls("kubectl"), c => c[0] == "patch" && c[2] == "us-west-2-prod" && c[^1].Contains("\"forceState\": \"Enabled\"", StringComparison.Ordinal));
        Assert.Contains(_fake.Calls("kubectl"), c => c[0] == "patch" && c[2] == "us-east-1-prod" && c[^1].Contains("Priority-based", StringComparison.Ordinal));
        Assert.Contains("MONTHLY FAILOVER TEST PASSED", result.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void Monthly_test_fails_when_the_target_loses_forging_but_still_restores()
    {
        _fake.On("kubectl", ListNames, ThreeClusters)
             .On("kubectl", $"us-west-2-prod {Leader}", new Reply("bp-1"), new Reply("bp-1"), new Reply(""))
             .On("kubectl", $"us-east-1-prod {Leader}", new Reply(""), new Reply("bp-0"))
             .On("kubectl", Leader, "");

        var result = _fake.Run("monthly-failover-test.sh", new Dictionary<string, string>
        {
            ["RUN_SECONDS"] = "300", ["POLL_SECONDS"] = "10", ["MONITORING_URL"] = "",
        });

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("us-west-2-prod LOST forging with 290 s of the test run left", result.Stderr, StringComparison.Ordinal);
        Assert.Contains(_fake.Calls("kubectl"), c => c[0] == "patch" && c[2] == "us-east-1-prod");
        Assert.Contains("MONTHLY FAILOVER TEST FAILED", result.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void Restore_primary_clears_only_the_tests_overrides_and_waits_for_the_primary_alone()
    {
        _fake.On("kubectl", "override.reason", "us-east-1-prod|false|Scheduled maintenance\nus-west-2-prod|true|Failover test (test-failover.sh)\neu-west-1-prod|true|Emergency failover\n")
             .On("kubectl", ListNames, ThreeClusters)
             .On("kubectl", $"us-east-1-prod {Leader}", "cardano-bp-0")
             .On("kubectl", Leader, "");

        var result = _fake.Run("restore-primary.sh", null, "us-east-1-prod");

        Assert.True(result.ExitCode == 0, result.ToString());
        Calls.Equal(
        [
            "get cardanoforgeclusters -o jsonpath={range .items[*]}{.metadata.name}{\"|\"}{.spec.override.enabled}{\"|\"}{.spec.override.reason}{\"\\n\"}{end}",
            """patch cardanoforgeCluster us-west-2-prod --type=merge -p={"spec":{"override":{"enabled":false}}}""",
            """patch cardanoforgeCluster us-east-1-prod --type=merge -p={"spec":{"forgeState":"Priority-based","override":{"enabled":false}}}""",
            ListNames,
            $"get cardanoforgeCluster us-east-1-prod {Leader}",
            $"get cardanoforgeCluster us-west-2-prod {Leader}",
            $"get cardanoforgeCluster eu-west-1-prod {Leader}",
            "get cardanoforgeclusters -o wide",
        ], Calls.Normalise(_fake.Calls("kubectl")));
        Assert.Contains("NOTE: eu-west-1-prod still has an active override: Emergency failover", result.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void Emergency_recovery_disables_every_other_cluster_it_can_reach_then_leaves_cluster_management()
    {
        _fake.On("kubectl", "get statefulset cardano-node", "us-east-1-prod")
             .On("kubectl", "--context eu get cardanoforgeclusters", new Reply("", 1, "Unable to connect to the server: dial tcp: i/o timeout"))
             .On("kubectl", "get cardanoforgeclusters --request-timeout=10s", ThreeClusters)
             .On("kubectl", "get pods -l app=cardano-node", "cardano-bp-0\ncardano-bp-1\n")
             .On("kubectl", "logs statefulset/cardano-node -c forge-manager", "{\"msg\":\"single-cluster mode\"}\n")
             .On("curl", "http://localhost:8000/metrics", "cardano_leader_status 1\ncardano_standalone_mode 1\ncardano_cluster_forge_enabled{cluster=\"us-east-1-prod\"} 1\n");

        var result = _fake.Run("emergency-recovery.sh", null, "west", "eu");

        Assert.True(result.ExitCode == 0, result.ToString());
        const string disable = """--type=merge --request-timeout=10s -p={"spec":{"forgeState":"Disabled","override":{"enabled":true,"reason":"Emergency recovery: us-east-1-prod runs in single-cluster mode","forceState":"Disabled","expiresAt":null}}}""";
        const string names = "get cardanoforgeclusters --request-timeout=10s -o jsonpath={range .items[*]}{.metadata.name}{\"\\n\"}{end}";
        Calls.Equal(
        [
            "get statefulset cardano-node -o jsonpath={.spec.template.spec.containers[?(@.name==\"forge-manager\")].env[?(@.name==\"CLUSTER_NAME\")].value}",
            names,
            $"patch cardanoforgeCluster us-west-2-prod {disable}",
            $"patch cardanoforgeCluster eu-west-1-prod {disable}",
            $"--context west {names}",
            $"--context west patch cardanoforgeCluster us-west-2-prod {disable}",
            $"--context west patch cardanoforgeCluster eu-west-1-prod {disable}",
            $"--context eu {names}",
            "set env statefulset/cardano-node -c forge-manager ENABLE_CLUSTER_MANAGEMENT=false",
            "rollout status statefulset/cardano-node --timeout=10m",
            "logs statefulset/cardano-node -c forge-manager",
            "get pods -l app=cardano-node -o jsonpath={range .items[*]}{.metadata.name}{\"\\n\"}{end}",
            "port-forward pod/cardano-bp-0 8000:8000",
            "port-forward pod/cardano-bp-1 8000:8000",
        ], Calls.Normalise(_fake.Calls("kubectl")));
        Assert.Contains("you take responsibility", result.Stdout, StringComparison.Ordinal);
        Assert.Contains("every cluster as seen from eu", result.Stdout, StringComparison.Ordinal);
        Assert.Contains("cardano-bp-0: cardano_leader_status 1", result.Stdout, StringComparison.Ordinal);
        Assert.Contains("cardano-bp-1: cardano_standalone_mode 1", result.Stdout, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(_fake.Dir, "port-forward.up")), "a port-forward was left running");
    }

    [Fact]
    public void Emergency_recovery_changes_nothing_when_it_cannot_tell_the_local_cluster()
    {
        var result = _fake.Run("emergency-recovery.sh", null, "west");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("set LOCAL_CLUSTER", result.Stderr, StringComparison.Ordinal);
        Assert.Single(_fake.Calls("kubectl"));
    }

    [Fact]
    public void Emergency_recovery_says_what_stays_disabled_when_the_statefulset_cannot_be_changed()
    {
        _fake.On("kubectl", "get cardanoforgeclusters --request-timeout=10s", ThreeClusters)
             .On("kubectl", "set env", new Reply("", 1, "Error from server (Forbidden)"));

        var result = _fake.Run("emergency-recovery.sh", new Dictionary<string, string> { ["LOCAL_CLUSTER"] = "us-east-1-prod" });

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("EMERGENCY RECOVERY FAILED: could not change statefulset/cardano-node", result.Stderr, StringComparison.Ordinal);
        Assert.Contains("stay Disabled", result.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain(_fake.Calls("kubectl"), c => c.Contains("rollout"));
    }

    [Fact]
    public void Emergency_failover_explains_a_backup_that_is_pinned_disabled()
    {
        _fake.On("kubectl", "{.spec.forgeState} {.spec.override.forceState}", "Priority-based Disabled");

        var result = _fake.Run("emergency-failover.sh", new Dictionary<string, string> { ["WAIT_SECONDS"] = "0" });

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("us-west-2-prod is Disabled (forgeState/forceState: Priority-based Disabled)", result.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void Restore_cluster_management_uses_set_env_and_lists_the_clusters_still_pinned()
    {
        _fake.On("kubectl", "override.reason", "us-east-1-prod\t\nus-west-2-prod\tEmergency recovery: us-east-1-prod runs in single-cluster mode\n")
             .On("kubectl", "get pods", "cardano-bp-0\n")
             .On("curl", "http://localhost:8000/metrics", "cardano_cluster_forge_enabled{cluster=\"us-east-1-prod\"} 1\ncardano_leader_status 1\n");

        var result = _fake.Run("restore-cluster-management.sh", new Dictionary<string, string> { ["ROLLOUT_TIMEOUT"] = "3m" });

        Assert.True(result.ExitCode == 0, result.ToString());
        Calls.Equal(
        [
            "set env statefulset/cardano-node -c forge-manager ENABLE_CLUSTER_MANAGEMENT=true",
            "rollout status statefulset/cardano-node --timeout=3m",
            "get cardanoforgeclusters -o wide",
            "get pods -l app=cardano-node -o jsonpath={range .items[*]}{.metadata.name}{\"\\n\"}{end}",
            "port-forward pod/cardano-bp-0 8000:8000",
            "get cardanoforgeclusters -o jsonpath={range .items[*]}{.metadata.name}{\"\\t\"}{.spec.override.reason}{\"\\n\"}{end}",
        ], Calls.Normalise(_fake.Calls("kubectl")));
        Assert.Contains("cardano-bp-0: cardano_cluster_forge_enabled{cluster=\"us-east-1-prod\"} 1", result.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("cardano-bp-0: cardano_leader_status", result.Stdout, StringComparison.Ordinal);
        Assert.Contains("kubectl patch cardanoforgeCluster us-west-2-prod --type=merge", result.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("kubectl patch cardanoforgeCluster us-east-1-prod", result.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void Cluster_management_scripts_never_merge_patch_the_container_list()
    {
        foreach (var script in new[] { "emergency-recovery.sh", "restore-cluster-management.sh" })
        {
            _fake.On("kubectl", "get statefulset", "us-east-1-prod");
            _fake.Run(script);
        }

        Assert.DoesNotContain(_fake.Calls("kubectl"), c => c.Contains("patch") && c.Any(a => a.Contains("containers", StringComparison.Ordinal)));
        Assert.Equal(2, _fake.Calls("kubectl").Count(c => c.Take(2).SequenceEqual(["set", "env"])));
    }

    [Fact]
    public void Disable_secondary_clusters_keeps_the_intended_forger_not_the_best_spec_priority()
    {
        // us-east-1-prod has the best spec priority but is Disabled; an emergency override made
        // us-west-2-prod the forger (effective priority 1). The guide's pipeline would keep the
        // first and disable the second.
        _fake.On("kubectl", "{.status.effectiveState}", "us-east-1-prod|Disabled|1|1\nus-west-2-prod|Priority-based|1|2\neu-west-1-prod|Enabled|3|3\n");

        var result = _fake.Run("disable-secondary-clusters.sh");

        Assert.True(result.ExitCode == 0, result.ToString());
        const string pin = """--type=merge -p={"spec":{"forgeState":"Disabled","override":{"enabled":true,"reason":"Multiple clusters forging: disabled by disable-secondary-clusters.sh","forceState":"Disabled","expiresAt":null}}}""";
        var calls = Calls.Normalise(_fake.Calls("kubectl"));
        Assert.Equal(
        [
            $"patch cardanoforgeCluster us-east-1-prod {pin}",
            $"patch cardanoforgeCluster eu-west-1-prod {pin}",
        ], calls.Where(c => c.StartsWith("patch", StringComparison.Ordinal)));
        Assert.Contains("Keeping us-west-2-prod", result.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void Disable_secondary_clusters_keeps_the_cluster_it_is_told_to()
    {
        _fake.On("kubectl", "{.status.effectiveState}", "us-east-1-prod|Priority-based|1|1\nus-west-2-prod|Priority-based|2|2\n");

        var result = _fake.Run("disable-secondary-clusters.sh", null, "us-west-2-prod");

        Assert.True(result.ExitCode == 0, result.ToString());
        var patched = _fake.Calls("kubectl").Where(c => c[0] == "patch").Select(c => c[2]);
        Assert.Equal(["us-east-1-prod"], patched);
    }

    private static void AssertRfc3339Around(string value, TimeSpan fromNow)
    {
        Assert.Matches(Rfc3339(), value);
        var at = DateTimeOffset.Parse(value, CultureInfo.InvariantCulture);
        var expected = DateTimeOffset.UtcNow + fromNow;
        Assert.InRange(at, expected - TimeSpan.FromMinutes(5), expected + TimeSpan.FromMinutes(1));
    }

    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$")]
    private static partial Regex Rfc3339();
}
