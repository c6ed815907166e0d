using Akka.Configuration;
using Forge.Arbiter;
using Forge.Cluster;
using Forge.Decider;
using Forge.Grants;
using Forge.Health;
using Forge.Nodes;
using Forge.PodFence;

namespace Forge.Coordinator;

/// <summary>
/// The coordinator's whole configuration: command-line overrides (<c>--set key=value</c>), then extra files
/// (<c>--config file.conf</c>), then the commented defaults in hocon/*.conf. Every settings object is built (and so
/// validated) here, before anything starts: a bad value fails with a message naming the setting.
/// </summary>
public sealed record ForgeConfiguration(
    Config Config,
    CoordinatorSettings Coordinator,
    ForgeClusterSettings Cluster,
    RemoteTlsSettings Tls,
    ArbiterSettings Arbiter,
    NodeSettings Nodes,
    HealthSettings Health,
    DeciderSettings Decider,
    GrantSettings Grants)
{
    /// <summary>The liveness watchdog (<c>forge.cluster.liveness-watchdog</c>).</summary>
    public required LivenessWatchdogSettings Watchdog { get; init; }

    /// <summary>The pod fence (<c>forge.pod-fence</c>).</summary>
    public required PodFenceSettings PodFence { get; init; }

    /// <summary>The default files, in precedence order (first wins).</summary>
    public static readonly string[] DefaultFiles = ["coordinator.conf", "cluster.conf", "grants.conf", "forge-decider.conf", "serialization.conf", "projection.conf"];

    public static ForgeConfiguration Load(string hoconDirectory, IEnumerable<string> extraFiles, IEnumerable<string> sets)
    {
        var config = Config.Empty;
        foreach (var s in sets)
        {
            var eq = s.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0) throw new ArgumentException($"--set '{s}' must be key=value");
            config = config.WithFallback(ConfigurationFactory.ParseString($"{s[..eq].Trim()} = {s[(eq + 1)..].Trim()}"));
        }
        foreach (var f in extraFiles)
        {
            if (!File.Exists(f)) throw new ArgumentException($"--config file '{f}' does not exist");
            config = config.WithFallback(ConfigurationFactory.ParseString(File.ReadAllText(f)));
        }
        foreach (var f in DefaultFiles)
        {
            var path = Path.Combine(hoconDirectory, f);
            if (!File.Exists(path)) throw new ArgumentException($"default configuration file '{path}' is missing");
            config = config.WithFallback(ConfigurationFactory.ParseString(File.ReadAllText(path)));
        }
        return FromConfig(config);
    }

    public static ForgeConfiguration FromConfig(Config config)
    {
        var cluster = ForgeClusterSettings.FromConfig(config);
        var grants = GrantSettings.FromConfig(config);
        // One list of regions: the downing decisions and the grant quorum must count the same regions.
        if (!grants.Regions.Order(StringComparer.Ordinal).SequenceEqual(cluster.Regions))
            throw new ArgumentException($"forge.grants.regions [{string.Join(", ", grants.Regions)}] must list the same regions as " +
                                        $"forge.cluster.regions [{string.Join(", ", cluster.Regions)}]");
        var arbiter = ArbiterSettings.FromConfig(config);
        grants.ValidateTermTtl(arbiter.GrantTtl);
        return new(
            config,
            CoordinatorSettings.FromConfig(config),
            cluster,
            RemoteTlsSettings.FromConfig(config),
            arbiter,
            NodeSettings.FromConfig(config),
            HealthSettings.FromConfig(config),
            DeciderSettings.FromConfig(config),
            grants) { Watchdog = LivenessWatchdogSettings.FromConfig(config), PodFence = PodFenceSettings.FromConfig(config, arbiter.GrantTtl) };
    }

    /// <summary>This coordinator's id in logs and AgentRegistered: region/host:port.</summary>
    public string CoordinatorId => $"{Cluster.Region}/{Coordinator.PublicHostname}:{Coordinator.RemotePort}";
}
