namespace Forge.Sandbox.Tests;

public sealed class OptionsAndFormatsTests
{
    [Fact]
    public void Defaults_are_the_guides_world()
    {
        var o = SandboxOptions.Parse([]);
        Assert.Equal((Path.GetFullPath(".sandbox"), 1000, 2, 3, 1, "exec"), (o.Dir, o.SlotMs, o.NodesPerRegion, o.Regions, o.CoordinatorsPerRegion, o.Mode));
    }

    [Fact]
    public void Options_are_parsed_and_bad_values_name_the_option()
    {
        var o = SandboxOptions.Parse(["--dir", "/tmp/x", "--slot-ms", "200", "--nodes-per-region", "1", "--regions", "2"]);
        Assert.Equal(("/tmp/x", 200, 1, 2), (o.Dir, o.SlotMs, o.NodesPerRegion, o.Regions));
        Assert.Contains("--slot-ms", Assert.Throws<SandboxUsageException>(() => SandboxOptions.Parse(["--slot-ms", "x"])).Message, StringComparison.Ordinal);
        Assert.Equal("sidecar", SandboxOptions.Parse(["--mode", "sidecar"]).Mode);
        Assert.Contains("--mode", Assert.Throws<SandboxUsageException>(() => SandboxOptions.Parse(["--mode", "both"])).Message, StringComparison.Ordinal);
        Assert.Contains("--bogus", Assert.Throws<SandboxUsageException>(() => SandboxOptions.Parse(["--bogus"])).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_layout_names_regions_and_pods_as_the_guide_does_with_distinct_ports()
    {
        var l = Layout.Plan(SandboxOptions.Parse(["--dir", "/tmp/forge-sbx-layout"]), 1);
        Assert.Equal(["us-east-1-prod", "us-west-2-prod", "eu-west-1-prod"], l.Regions.Select(r => r.Cluster));
        Assert.Equal(["us-east-1", "us-west-2", "eu-west-1"], l.Regions.Select(r => r.Region));
        Assert.Equal([1, 2, 3], l.Regions.Select(r => r.Priority));
        Assert.All(l.Regions, r => Assert.Equal(["cardano-bp-0", "cardano-bp-1"], r.Nodes.Select(n => n.Pod)));
        var ports = l.Regions.SelectMany(r => r.Coordinators.SelectMany(c => new[] { c.RemotePort, c.HttpPort, c.AgentPort, c.ShellPort })
            .Concat(r.Nodes.SelectMany(n => new[] { n.NodePort, n.NodeMetricsPort, n.AgentMetricsPort }))).ToList();
        Assert.Equal(ports.Count, ports.Distinct().Count());
        // below the ephemeral range: no outgoing connection (nor a peer dialling a seed not yet up) can hold one
        var ephemeralLow = int.Parse(File.ReadAllText("/proc/sys/net/ipv4/ip_local_port_range").Split('\t', ' ')[0], System.Globalization.CultureInfo.InvariantCulture);
        Assert.All(ports, p => Assert.InRange(p, 10_000, ephemeralLow - 1));
    }

    [Fact]
    public void The_kubeconfig_has_a_context_per_region_in_namespace_cardano_and_the_first_is_current()
    {
        var text = Kubeconfig.Render([("us-east-1-prod", "http://127.0.0.1:1"), ("us-west-2-prod", "http://127.0.0.1:2")]);
        Assert.Contains("current-context: us-east-1-prod", text, StringComparison.Ordinal);
        Assert.Equal(2, text.Split("namespace: cardano").Length - 1);
    }

    [Fact]
    public void Prometheus_text_finds_verified_forging()
    {
        const string text = "# HELP x\ncardano_cluster_forge_enabled{cluster=\"a\",region=\"r\",priority=\"1\"} 1\ncardano_forging_enabled 0\n";
        Assert.True(PromText.Forging(text));
        Assert.False(PromText.Forging("cardano_cluster_forge_enabled{cluster=\"a\"} 0\ncardano_forging_enabled 0\n"));
    }

    [Fact]
    public void Sandbox_json_round_trips_with_the_issues_field_names()
    {
        var m = new SandboxManifest("/k", [new RegionManifest("c", "r", 1, "c", "http://127.0.0.1:1",
            [new CoordinatorManifest(1, "http://127.0.0.1:2/metrics", "127.0.0.1:3")],
            [new NodeManifest("c/p", "p", 4, 5, 6, "http://127.0.0.1:7/metrics", "/f")])]);
        var json = m.ToJson();
        foreach (var field in new[] { "kubeconfig", "regions", "name", "region", "priority", "context", "kubeApi", "coordinators", "pid",
                     "metrics", "shell", "nodes", "id", "pod", "agentPid", "fencePid", "nodePid", "agentMetrics", "forgeLog" })
            Assert.Contains($"\"{field}\"", json, StringComparison.Ordinal);
        Assert.Equal(json, SandboxManifest.FromJson(json).ToJson());
    }
}
