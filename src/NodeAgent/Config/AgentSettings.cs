using Forge.Protocol;
using Forge.Transport;

namespace Forge.NodeAgent.Config;

/// <summary>
/// Everything the agent is configured with, read once from environment variables (names and defaults documented in
/// hocon/agent.conf) and validated here, cross-field rules included. A bad value stops startup with a message naming it.
/// </summary>
internal sealed record AgentSettings
{
    public required NodeId Node { get; init; }
    public required string Namespace { get; init; }
    public required string Region { get; init; }
    public required string PoolId { get; init; }
    public required CredentialSources Credentials { get; init; }
    public required CredentialTargets Targets { get; init; }
    public required string NodeProcessName { get; init; }
    public required Uri NodeMetricsUrl { get; init; }
    public string? NodeSocket { get; init; }
    public required int MetricsPort { get; init; }
    public required bool ClusterManagement { get; init; }
    public required IReadOnlyList<CoordinatorEndpoint> Coordinators { get; init; }
    public TlsSettings? Tls { get; init; }
    public required string FenceSocket { get; init; }
    public required AgentTimings Timings { get; init; }
    public required int SyncMaxLagSlots { get; init; }
    public LeaseSettings? Lease { get; init; }
    /// <summary>Wall-clock slot parameters, only for "synced" when the node does not export the current slot
    /// (defaults: mainnet, Shelley era: slot = unix seconds − 1591566291).</summary>
    public long SlotZeroUnixMs { get; init; } = 1_591_566_291_000;
    public long SlotLengthMs { get; init; } = 1000;

    public AgentMode Mode => ClusterManagement ? AgentMode.Cluster : AgentMode.SingleCluster;

    /// <exception cref="AgentConfigException">listing every bad variable</exception>
    public static AgentSettings Load(EnvReader env)
    {
        var cluster = env.Required("CLUSTER_NAME", "(the agent's CardanoForgeCluster)");
        var pod = env.Required("POD_NAME");
        NodeId node = default;
        if (cluster.Length > 0 && pod.Length > 0)
        {
            env.Check(NodeId.IsDnsLabel(cluster), $"CLUSTER_NAME='{cluster}' must be a DNS-1123 name");
            env.Check(NodeId.IsDnsLabel(pod), $"POD_NAME='{pod}' must be a DNS-1123 name");
            if (NodeId.IsDnsLabel(cluster) && NodeId.IsDnsLabel(pod)) node = new NodeId(cluster, pod);
        }
        var region = env.Required("CLUSTER_REGION");
        var pool = env.Required("POOL_ID");
        var clusterManagement = env.Bool("ENABLE_CLUSTER_MANAGEMENT", true);

        var coordinators = (IReadOnlyList<CoordinatorEndpoint>)[];
        TlsSettings? tls = null;
        // single-cluster mode uses the coordinators too when they are configured: its Lease leader takes a standalone
        // term on the grant quorum (same variables; without them it forges on the Lease alone)
        if (clusterManagement || env.Optional("COORDINATORS") is not null)
        {
            var list = env.Required("COORDINATORS", "(host:port list, own region first) when ENABLE_CLUSTER_MANAGEMENT=true");
            if (list.Length > 0)
            {
                try
                {
                    coordinators = CoordinatorEndpoint.ParseList(list);
                }
                catch (FormatException e)
                {
                    env.Check(false, $"COORDINATORS: {e.Message}");
                }
            }
            var ca = env.Required("TLS_CA_CERT");
            var cert = env.Required("TLS_CERT");
            var key = env.Required("TLS_KEY");
            if (ca.Length > 0 && cert.Length > 0 && key.Length > 0) tls = new TlsSettings(ca, cert, key);
        }

        var fence = env.Optional("FENCE_CONTROL") ?? env.Optional("FORGE_FENCE_SOCKET");
        env.Check(fence is not null, "FENCE_CONTROL is required (the fence's control socket; exec mode sets FORGE_FENCE_SOCKET)");
        // a directory (the sidecar's shared volume) may not exist yet when the agent starts before the fence made it:
        // anything not naming a .sock file is the directory
        if (fence is not null && (Directory.Exists(fence) || !fence.EndsWith(".sock", StringComparison.Ordinal)))
            fence = Path.Combine(fence, "fence.sock");

        var settings = new AgentSettings
        {
            Node = node,
            Namespace = env.String("NAMESPACE", "default"),
            Region = region,
            PoolId = pool,
            Credentials = CredentialSources.Load(env),
            Targets = CredentialTargets.Load(env),
            NodeProcessName = env.String("CARDANO_NODE_PROCESS_NAME", "cardano-node"),
            NodeMetricsUrl = env.Url("NODE_METRICS_URL", "http://127.0.0.1:12798/metrics") ?? new Uri("http://127.0.0.1:12798/metrics"),
            NodeSocket = env.Optional("NODE_SOCKET"),
            MetricsPort = env.Int("METRICS_PORT", 8000, 0, 65535),
            ClusterManagement = clusterManagement,
            Coordinators = coordinators,
            Tls = tls,
            FenceSocket = fence ?? "",
            Timings = AgentTimings.Load(env),
            SyncMaxLagSlots = env.Int("SYNC_MAX_LAG_SLOTS", SyncDefinition.DefaultMaxLagSlots, 0, 100_000),
            Lease = clusterManagement ? null : LeaseSettings.Load(env, region),
            SlotZeroUnixMs = env.Int("SLOT_ZERO_UNIX_S", 1_591_566_291, 0, int.MaxValue) * 1000L,
            SlotLengthMs = env.Int("SLOT_LENGTH_MS", 1000, 1, 3_600_000),
        };
        if (env.Errors.Count > 0) throw new AgentConfigException(env.Errors);
        return settings;
    }
}

/// <summary>Startup refused: each line names a variable and what is wrong with it.</summary>
internal sealed class AgentConfigException(IReadOnlyList<string> errors)
    : Exception("invalid configuration: " + string.Join("; ", errors))
{
    public IReadOnlyList<string> Errors { get; } = errors;
}
