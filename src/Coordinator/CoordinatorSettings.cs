using Akka.Configuration;

namespace Forge.Coordinator;

/// <summary>Settings of the coordinator host (hocon: <c>forge.coordinator</c>, defaults in hocon/coordinator.conf).</summary>
public sealed record CoordinatorSettings
{
    public const string Section = "forge.coordinator";

    public CoordinatorSettings(string systemName, string hostname, string publicHostname, int port, int httpPort, int agentPort,
        string agentCaPath, string agentCertPath, string agentKeyPath, TimeSpan askTimeout, IReadOnlyList<string> seedNodes,
        bool grantReplica, IReadOnlyDictionary<string, string> replicaAddresses, string clusterName = "")
    {
        if (string.IsNullOrWhiteSpace(systemName) || !systemName.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_'))
            throw new ArgumentException($"{Section}.system-name '{systemName}' must be letters, digits, '-' or '_'");
        if (string.IsNullOrWhiteSpace(hostname)) throw new ArgumentException($"{Section}.hostname is required");
        if (string.IsNullOrWhiteSpace(publicHostname)) throw new ArgumentException($"{Section}.public-hostname is required");
        Port(port, "port", allowZero: true);
        Port(httpPort, "http-port", allowZero: true);
        Port(agentPort, "agent-port", allowZero: true);
        if (agentPort > 0 && (string.IsNullOrWhiteSpace(agentCaPath) || string.IsNullOrWhiteSpace(agentCertPath) || string.IsNullOrWhiteSpace(agentKeyPath)))
            throw new ArgumentException($"{Section}.agent-tls.ca-path, cert-path and key-path are required when {Section}.agent-port is set");
        if (askTimeout <= TimeSpan.Zero) throw new ArgumentException($"{Section}.ask-timeout must be positive");
        foreach (var s in seedNodes)
            if (!Uri.TryCreate(s, UriKind.Absolute, out var u) || !u.Scheme.StartsWith("akka", StringComparison.Ordinal) || u.Port <= 0)
                throw new ArgumentException($"forge.cluster.seed-nodes: '{s}' is not an Akka address like akka.tcp://{systemName}@host:port");
        SystemName = systemName;
        Hostname = hostname;
        PublicHostname = publicHostname;
        RemotePort = port;
        HttpPort = httpPort;
        AgentPort = agentPort;
        AgentCaPath = agentCaPath;
        AgentCertPath = agentCertPath;
        AgentKeyPath = agentKeyPath;
        AskTimeout = askTimeout;
        SeedNodes = seedNodes;
        foreach (var (region, address) in replicaAddresses)
            if (!Akka.Actor.Address.TryParse(address, out _))
                throw new ArgumentException($"{Section}.replica-addresses.{region}: '{address}' is not an Akka address");
        GrantReplica = grantReplica;
        ReplicaAddresses = replicaAddresses;
        if (clusterName.Length > 0 && !Forge.Protocol.NodeId.IsDnsLabel(clusterName))
            throw new ArgumentException($"{Section}.cluster-name '{clusterName}' is not a DNS-1123 name");
        ClusterName = clusterName;
    }

    public string SystemName { get; }
    public string Hostname { get; }
    public string PublicHostname { get; }
    public int RemotePort { get; }
    public int HttpPort { get; }
    public int AgentPort { get; }
    public string AgentCaPath { get; }
    public string AgentCertPath { get; }
    public string AgentKeyPath { get; }
    public TimeSpan AskTimeout { get; }
    public IReadOnlyList<string> SeedNodes { get; }
    /// <summary>This coordinator hosts its region's grant replica (the pinned pod with the persistent volume).</summary>
    public bool GrantReplica { get; }
    /// <summary>Where each region's grant replica lives (region → Akka address); regions not listed are found in
    /// the membership (the member with role grant-replica in that region).</summary>
    public IReadOnlyDictionary<string, string> ReplicaAddresses { get; }
    /// <summary>The CardanoForgeCluster whose pods run in this coordinator's Kubernetes namespace (the cluster part of
    /// their NodeIds, e.g. us-east-1-prod); empty when not set: the pod fence is then off.</summary>
    public string ClusterName { get; }

    private static void Port(int value, string name, bool allowZero)
    {
        if (value < (allowZero ? 0 : 1) || value > 65535) throw new ArgumentException($"{Section}.{name} {value} is not a TCP port");
    }

    public static CoordinatorSettings FromConfig(Config config)
    {
        var c = config.GetConfig(Section);
        if (c is null || c.IsEmpty) throw new ArgumentException($"missing configuration section {Section}");
        return new CoordinatorSettings(
            c.GetString("system-name", "forge") ?? "",
            c.GetString("hostname", "") ?? "",
            c.GetString("public-hostname", "") ?? "",
            c.GetInt("port"),
            c.GetInt("http-port"),
            c.GetInt("agent-port"),
            c.GetString("agent-tls.ca-path", "") ?? "",
            c.GetString("agent-tls.cert-path", "") ?? "",
            c.GetString("agent-tls.key-path", "") ?? "",
            c.GetTimeSpan("ask-timeout", null, false),
            (config.GetStringList("forge.cluster.seed-nodes") ?? []).ToList(),
            c.GetBoolean("grant-replica", false),
            (c.GetConfig("replica-addresses")?.AsEnumerable() ?? [])
                .ToDictionary(kv => kv.Key, kv => kv.Value.GetString(), StringComparer.Ordinal),
            c.GetString("cluster-name", "")?.Trim() ?? "");
    }
}
