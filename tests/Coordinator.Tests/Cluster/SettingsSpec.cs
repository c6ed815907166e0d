using Akka.Configuration;
using Forge.Arbiter;
using Forge.Cluster;
using Forge.Health;
using Forge.Nodes;
using Xunit;

namespace Forge.Coordinator.Tests.Cluster;

/// <summary>The defaults in hocon/*.conf, and bad values failing with the setting's name.</summary>
public class SettingsSpec
{
    internal static Config Defaults(params string[] overrides)
    {
        var dir = Path.Combine(AppContext.BaseDirectory, "hocon");
        var c = Config.Empty;
        foreach (var o in overrides) c = c.WithFallback(ConfigurationFactory.ParseString(o));
        foreach (var f in ForgeConfiguration.DefaultFiles)
            c = c.WithFallback(ConfigurationFactory.ParseString(File.ReadAllText(Path.Combine(dir, f))));
        return c;
    }

    private static readonly string[] Valid = ["forge.cluster.regions = [us-east-1, us-west-2, eu-west-1]", "forge.cluster.region = us-east-1"];

    [Fact]
    public void Defaults_of_every_component()
    {
        var fc = ForgeConfiguration.FromConfig(Defaults(Valid));
        Assert.Equal(["eu-west-1", "us-east-1", "us-west-2"], fc.Cluster.Regions.ToArray());
        Assert.Equal("us-east-1", fc.Cluster.Region);
        Assert.False(fc.Cluster.Witness);
        Assert.Equal(TimeSpan.FromSeconds(5), fc.Cluster.StableAfter);
        Assert.Equal(TimeSpan.FromSeconds(15), fc.Cluster.DownAllWhenUnstable);
        Assert.Equal(TimeSpan.FromSeconds(2), fc.Cluster.DownRemovalMargin);
        Assert.True(fc.Watchdog.Enabled);
        Assert.Equal(TimeSpan.FromSeconds(2), fc.Watchdog.CheckInterval);
        Assert.Equal(TimeSpan.FromSeconds(20), fc.Watchdog.SingletonMissingAfter);
        Assert.Equal(TimeSpan.FromSeconds(60), fc.Watchdog.MinorityAfter);
        Assert.False(fc.Tls.Enabled);
        Assert.Equal("forge", fc.Coordinator.SystemName);
        Assert.Equal(4053, fc.Coordinator.RemotePort);
        Assert.Equal(8558, fc.Coordinator.HttpPort);
        Assert.Equal(0, fc.Coordinator.AgentPort);
        Assert.Equal(TimeSpan.FromSeconds(1), fc.Arbiter.DecideInterval);
        Assert.Equal(TimeSpan.FromSeconds(3), fc.Arbiter.RevokeTimeout);
        Assert.Equal(TimeSpan.FromSeconds(5), fc.Arbiter.ProposeTimeout);
        Assert.Equal(TimeSpan.FromSeconds(5), fc.Arbiter.StartupSettle);
        Assert.Equal(TimeSpan.FromSeconds(6), fc.Arbiter.ViewStaleAfter);
        Assert.Equal(TimeSpan.FromSeconds(5), fc.Arbiter.GrantTtl);
        Assert.Equal(50, fc.Arbiter.HistorySize);
        Assert.Equal(4, fc.Nodes.NumberOfShards);
        Assert.Equal(TimeSpan.FromSeconds(10), fc.Nodes.StaleAfter);
        Assert.Equal(TimeSpan.FromSeconds(2), fc.Nodes.ViewRefresh);
        Assert.Equal(30, fc.Nodes.TipPublishSlots);
        Assert.Equal(TimeSpan.FromSeconds(30), fc.Health.DefaultInterval);
        Assert.Equal(TimeSpan.FromSeconds(5), fc.Health.DefaultTimeout);
        Assert.Equal(3, fc.Health.DefaultFailureThreshold);
        Assert.Equal("", fc.Coordinator.ClusterName); // pod fence off until the deployment names its cluster
        Assert.Equal((true, 0.6, TimeSpan.FromMilliseconds(500), TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(15)),
            (fc.PodFence.Enabled, fc.PodFence.QuietFraction, fc.PodFence.PollInterval, fc.PodFence.GracePeriod, fc.PodFence.ConfirmWithin));
        var c = fc.Config;
        Assert.Equal("Forge.Cluster.RegionDowningProvider, Forge.Actors", c.GetString("akka.cluster.downing-provider-class"));
        Assert.Equal(TimeSpan.FromSeconds(5), c.GetTimeSpan("akka.cluster.failure-detector.acceptable-heartbeat-pause"));
        Assert.False(c.GetBoolean("akka.cluster.sharding.remember-entities"));
    }

    [Theory]
    [InlineData("forge.cluster.regions = []", "forge.cluster.regions")]
    [InlineData("forge.cluster.region = mars", "forge.cluster.region 'mars' is not one of")]
    [InlineData("forge.cluster.regions = [a, a]", "lists a region twice")]
    [InlineData("forge.cluster.split-brain.stable-after = 0s", "forge.cluster.split-brain.stable-after")]
    [InlineData("forge.arbiter.view-stale-after = 500ms", "forge.arbiter.view-stale-after")]
    [InlineData("forge.cluster.liveness-watchdog.singleton-missing-after = 1s", "forge.cluster.liveness-watchdog.singleton-missing-after")]
    [InlineData("forge.cluster.liveness-watchdog.minority-after = 3s", "forge.cluster.liveness-watchdog.minority-after")]
    [InlineData("forge.nodes.number-of-shards = 0", "forge.nodes.number-of-shards")]
    [InlineData("forge.health.default-failure-threshold = 0", "forge.health.default-failure-threshold")]
    [InlineData("forge.coordinator.port = 70000", "forge.coordinator.port")]
    [InlineData("forge.cluster.tls.enabled = on", "forge.cluster.tls.ca-path")]
    [InlineData("forge.coordinator.agent-port = 9000", "forge.coordinator.agent-tls")]
    [InlineData("forge.cluster.seed-nodes = [\"not-an-address\"]", "forge.cluster.seed-nodes")]
    [InlineData("forge.coordinator.cluster-name = \"US_East\"", "forge.coordinator.cluster-name")]
    [InlineData("forge.pod-fence.quiet-fraction = 1", "forge.pod-fence.quiet-fraction must be in (0, 1)")]
    [InlineData("forge.pod-fence.quiet-fraction = 0.95", "must be below the grant TTL")]
    [InlineData("forge.pod-fence.grace-period = 0s", "forge.pod-fence.grace-period")]
    [InlineData("forge.pod-fence.confirm-within = 1s", "forge.pod-fence.confirm-within")]
    public void Bad_configuration_names_the_setting(string bad, string expected)
    {
        var e = Assert.Throws<ArgumentException>(() => ForgeConfiguration.FromConfig(Defaults([bad, .. Valid])));
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Region_list_fingerprint_ignores_order_and_roles_carry_it()
    {
        Assert.Equal(ClusterRoles.RegionListFingerprint(["a", "b", "c"]), ClusterRoles.RegionListFingerprint(["c", "a", "b"]));
        Assert.NotEqual(ClusterRoles.RegionListFingerprint(["a", "b"]), ClusterRoles.RegionListFingerprint(["a", "b", "c"]));
        var s = ForgeConfiguration.FromConfig(Defaults([.. Valid, "forge.cluster.witness = on"])).Cluster;
        Assert.Contains("coordinator", s.Roles);
        Assert.Contains("region:us-east-1", s.Roles);
        Assert.Contains("witness", s.Roles);
        Assert.Contains(s.Roles, r => r.StartsWith("regions:", StringComparison.Ordinal));
    }
}
