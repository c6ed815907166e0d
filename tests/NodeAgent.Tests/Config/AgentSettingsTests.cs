using Forge.NodeAgent.Config;
using Forge.Protocol;
using Xunit;

namespace Forge.NodeAgent.Tests.Config;

public sealed class AgentSettingsTests
{
    private static Dictionary<string, string> Minimal() => new()
    {
        ["POD_NAME"] = "cardano-bp-0",
        ["CLUSTER_NAME"] = "us-east-1-prod",
        ["CLUSTER_REGION"] = "us-east-1",
        ["POOL_ID"] = "pool1abc",
        ["COORDINATORS"] = "coord-0.us-east-1:7400, [::1]:7400",
        ["TLS_CA_CERT"] = "/tls/ca.pem",
        ["TLS_CERT"] = "/tls/agent.pem",
        ["TLS_KEY"] = "/tls/agent.key",
        ["FENCE_CONTROL"] = "/run/fence/fence.sock",
    };

    private static AgentSettings Load(Dictionary<string, string> env) => AgentSettings.Load(new EnvReader(env));

    [Fact]
    public void Defaults_match_hocon_agent_conf()
    {
        var s = Load(Minimal());
        Assert.Equal(new NodeId("us-east-1-prod", "cardano-bp-0"), s.Node);
        Assert.Equal(8000, s.MetricsPort);
        Assert.True(s.ClusterManagement);
        Assert.Equal(AgentMode.Cluster, s.Mode);
        Assert.Equal("default", s.Namespace);
        Assert.Equal("cardano-node", s.NodeProcessName);
        Assert.Equal(new Uri("http://127.0.0.1:12798/metrics"), s.NodeMetricsUrl);
        Assert.Equal("/secrets/forging/node.cert", s.Credentials.OpCert);
        Assert.Equal("/opt/cardano/secrets/kes.skey", s.Targets.KesKey);
        Assert.Equal(SyncDefinition.DefaultMaxLagSlots, s.SyncMaxLagSlots);
        Assert.Equal(["coord-0.us-east-1:7400", "[::1]:7400"], s.Coordinators.Select(c => c.ToString()));
        var t = s.Timings;
        Assert.Equal(TimeSpan.FromMilliseconds(500), t.Margin);
        Assert.Equal(100_000, t.DriftBoundPpm);
        Assert.Equal(TimeSpan.FromSeconds(2), t.FenceDisableBound);
        Assert.Equal(TimeSpan.Zero, t.RenewInterval);
        Assert.Equal(TimeSpan.FromSeconds(1), t.FenceTimeout);
        Assert.Equal(TimeSpan.FromMilliseconds(200), t.FencePollInterval);
        Assert.Equal(TimeSpan.FromSeconds(4), t.HandoverTimeout);
        Assert.Equal(TimeSpan.FromSeconds(1), t.StatusInterval);

        // the documented defaults are the ones in hocon/agent.conf
        var conf = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "hocon", "agent.conf"));
        foreach (var line in new[]
                 {
                     "metrics-port = 8000", "enable-cluster-management = true", "fence-disable-bound = 2000ms",
                     "grant-margin = 500ms", "drift-bound-ppm = 100000", "fence-timeout = 1000ms", "handover-timeout = 4000ms", "lease-duration = 15s",
                     "lease-renew-deadline = 10s", "lease-retry-period = 2s", "node-process-name = \"cardano-node\"",
                 })
            Assert.Contains(line, conf, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("METRICS_PORT", "eighty", "METRICS_PORT='eighty'")]
    [InlineData("ENABLE_CLUSTER_MANAGEMENT", "maybe", "ENABLE_CLUSTER_MANAGEMENT='maybe'")]
    [InlineData("COORDINATORS", "nohostport", "COORDINATORS")]
    [InlineData("POD_NAME", "Not_A_Dns_Name", "POD_NAME='Not_A_Dns_Name'")]
    [InlineData("GRANT_MARGIN_MS", "-5", "GRANT_MARGIN_MS='-5'")]
    [InlineData("NODE_METRICS_URL", "ftp://x", "NODE_METRICS_URL='ftp://x'")]
    [InlineData("FENCE_DISABLE_BOUND_MS", "10", "FENCE_DISABLE_BOUND_MS='10'")]
    public void A_bad_value_stops_startup_with_a_message_naming_it(string name, string value, string expected)
    {
        var env = Minimal();
        env[name] = value;
        var e = Assert.Throws<AgentConfigException>(() => Load(env));
        Assert.Contains(e.Errors, m => m.Contains(expected, StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("POD_NAME")]
    [InlineData("CLUSTER_NAME")]
    [InlineData("CLUSTER_REGION")]
    [InlineData("POOL_ID")]
    [InlineData("COORDINATORS")]
    [InlineData("TLS_CA_CERT")]
    [InlineData("FENCE_CONTROL")]
    public void A_missing_required_variable_is_named(string name)
    {
        var env = Minimal();
        env.Remove(name);
        var e = Assert.Throws<AgentConfigException>(() => Load(env));
        Assert.Contains(e.Errors, m => m.StartsWith(name, StringComparison.Ordinal));
    }

    [Fact]
    public void Single_cluster_mode_needs_no_coordinators_and_checks_lease_timings()
    {
        var env = Minimal();
        env.Remove("COORDINATORS");
        env.Remove("TLS_CA_CERT");
        env["ENABLE_CLUSTER_MANAGEMENT"] = "false";
        var s = Load(env);
        Assert.Equal(AgentMode.SingleCluster, s.Mode);
        Assert.Equal("cardano-forge-us-east-1", s.Lease!.Name);
        Assert.Equal(TimeSpan.FromSeconds(15), s.Lease.Duration);

        env["LEASE_RENEW_DEADLINE"] = "20";
        var e = Assert.Throws<AgentConfigException>(() => Load(env));
        Assert.Contains(e.Errors, m => m.Contains("LEASE_RENEW_DEADLINE must be shorter than LEASE_DURATION", StringComparison.Ordinal));
    }

    [Fact]
    public void The_fence_socket_comes_from_the_exec_mode_variable_when_not_set_explicitly()
    {
        var env = Minimal();
        env.Remove("FENCE_CONTROL");
        env["FORGE_FENCE_SOCKET"] = "/tmp/x/fence.sock";
        Assert.Equal("/tmp/x/fence.sock", Load(env).FenceSocket);
    }

    [Fact]
    public void A_fence_control_directory_that_does_not_exist_yet_still_names_its_socket()
    {
        // sidecar mode: the agent's container may start before the fence created its directory on the shared volume
        var env = Minimal();
        env["FENCE_CONTROL"] = "/run/forge-fence-not-yet-created";
        Assert.Equal("/run/forge-fence-not-yet-created/fence.sock", Load(env).FenceSocket);
        env["FENCE_CONTROL"] = "/run/forge/fence.sock";
        Assert.Equal("/run/forge/fence.sock", Load(env).FenceSocket);
    }
}
