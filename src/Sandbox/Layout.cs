using Forge.Net;

namespace Forge.Sandbox;

/// <summary>Everything decided before anything starts: names, ports, paths. All on 127.0.0.1, or with
/// <c>--region-netns</c> each region on its own address in its own network namespace (<see cref="RegionNetwork"/>).</summary>
internal sealed record Layout(string Dir, string PoolId, long EpochUnixMs, int SlotMs, IReadOnlyList<RegionPlan> Regions)
{
    public const string Namespace = "cardano";
    public const string StatefulSet = "cardano-node";
    public const string AgentContainer = "forge-manager";

    /// <summary>The sandbox pool's id (bech32 characters only; the stand-ins, agents and every CR carry it).</summary>
    public const string SandboxPoolId = "pool1sandxfrgeqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqq";

    public string Kubeconfig => Path.Combine(Dir, "kubeconfig");
    public string ManifestPath => Path.Combine(Dir, "sandbox.json");
    public string PkiDir => Path.Combine(Dir, "pki");
    public string PoolKeysDir => Path.Combine(Dir, "secrets", "pool");

    public static Layout Plan(SandboxOptions o, int coordinatorsPerRegion, RegionNetwork? network = null)
    {
        // slot 0 a whole second in the past, shared by every stand-in (slot numbers agree across nodes) and agent
        var epoch = (DateTimeOffset.UtcNow.ToUnixTimeSeconds() - 60) * 1000;
        var regions = new List<RegionPlan>();
        for (var r = 0; r < o.Regions; r++)
        {
            var (cluster, region) = RegionCatalog.All[r];
            var regionDir = Path.Combine(o.Dir, cluster);
            var host = network?.Address(r) ?? "127.0.0.1";
            var coordinators = Enumerable.Range(0, coordinatorsPerRegion).Select(i => new CoordinatorPlan(
                cluster, region, i, Path.Combine(regionDir, $"coordinator-{i}"),
                LoopbackPorts.Next(), LoopbackPorts.Next(), LoopbackPorts.Next(), LoopbackPorts.Next()) { Host = host }).ToList();
            var nodes = Enumerable.Range(0, o.NodesPerRegion).Select(i =>
            {
                var pod = $"cardano-bp-{i}";
                return new NodePlan(cluster, region, pod, Path.Combine(regionDir, pod), LoopbackPorts.Next(), LoopbackPorts.Next(), LoopbackPorts.Next()) { Host = host };
            }).ToList();
            regions.Add(new RegionPlan(cluster, region, r + 1, regionDir, coordinators, nodes) { Host = host, Netns = network?.Namespace(r) });
        }
        return new Layout(o.Dir, SandboxPoolId, epoch, o.SlotMs, regions);
    }
}

internal sealed record RegionPlan(string Cluster, string Region, int Priority, string Dir,
    IReadOnlyList<CoordinatorPlan> Coordinators, IReadOnlyList<NodePlan> Nodes)
{
    /// <summary>The region's address: 127.0.0.1, or its namespace's with --region-netns.</summary>
    public string Host { get; init; } = "127.0.0.1";

    /// <summary>The region's network namespace (--region-netns), else null: the processes run in the sandbox's own.</summary>
    public string? Netns { get; init; }
}

internal sealed record CoordinatorPlan(string Cluster, string Region, int Ordinal, string Dir,
    int RemotePort, int HttpPort, int AgentPort, int ShellPort)
{
    /// <summary>Remoting, HTTP and agent gateway address (the shell stays on the namespace's loopback).</summary>
    public string Host { get; init; } = "127.0.0.1";

    public string Name => $"{Cluster}/coordinator-{Ordinal}";
    public string ConfigPath => Path.Combine(Dir, "coordinator.conf");
    public string LogPath => Path.Combine(Dir, "coordinator.log");
    public string KubeconfigPath => Path.Combine(Dir, "kubeconfig");
    public string GrantsDir => Path.Combine(Dir, "grants");
    /// <summary>--faketime: this coordinator's wall-clock offset ("+0", "+3600", "-3600").</summary>
    public string FaketimeFile => Path.Combine(Dir, "faketime");
    public string MetricsUrl => $"http://{Host}:{HttpPort}/metrics";
    public string Shell => $"127.0.0.1:{ShellPort}";
    public string AgentEndpoint => $"{Host}:{AgentPort}";
    public string SeedAddress => $"akka.ssl.tcp://forge@{Host}:{RemotePort}";
}

internal sealed record NodePlan(string Cluster, string Region, string Pod, string Dir, int NodePort, int NodeMetricsPort, int AgentMetricsPort)
{
    /// <summary>The region's address: the agent's metrics (and health) are reached there; the stand-in stays on loopback.</summary>
    public string Host { get; init; } = "127.0.0.1";

    public string Id => $"{Cluster}/{Pod}";
    /// <summary>The mounted Secret: the pool's credentials (0600), read by the fence and (opcert only) the agent.</summary>
    public string SourceDir => Path.Combine(Dir, "secrets");
    /// <summary>Where the node reads its credentials; only the fence puts files there, only while needed.</summary>
    public string KeyDir => Path.Combine(Dir, "node-keys");
    public string ControlDir => Path.Combine(Dir, "fence");
    public string DbDir => Path.Combine(Dir, "db");
    public string Topology => Path.Combine(Dir, "topology.json");
    /// <summary>The forge-manager container's log: the fence's output with the agent's (exec mode), the agent's (sidecar).</summary>
    public string ContainerLog => Path.Combine(Dir, "forge-manager.log");
    /// <summary>Sidecar mode: the cardano-node container's log (the fence relays the node's output).</summary>
    public string NodeContainerLog => Path.Combine(Dir, "cardano-node-container.log");
    public string NodeLog => Path.Combine(Dir, "cardano-node.log");
    public string ForgeLog => Path.Combine(Dir, "forge.log");
    /// <summary>--faketime: the agent's wall-clock offset (never the stand-in's or the fence's).</summary>
    public string AgentFaketimeFile => Path.Combine(Dir, "agent-faketime");
    public string NodeMetricsUrl => $"http://127.0.0.1:{NodeMetricsPort}/metrics";
    public string AgentMetricsUrl => $"http://{Host}:{AgentMetricsPort}/metrics";
}
