using System.Globalization;

namespace Forge.Fence;

/// <summary>
/// <c>forge-fence exec|sidecar</c> options. The credential targets are read from the node command itself
/// (<c>--shelley-kes-key</c> etc.), so there is one source of truth for where the node looks; the node command must
/// start it non-producing, or the fence refuses to run it.
/// </summary>
internal sealed record FenceOptions
{
    public required string Mode { get; init; }
    public required IReadOnlyList<string> NodeCommand { get; init; }
    public IReadOnlyList<string>? AgentCommand { get; init; }
    public string? ControlDir { get; init; }
    public required string SourceDir { get; init; }
    public Uri? NodeMetricsUrl { get; init; }
    public FenceSettings Settings { get; init; } = new();

    public const string KesSource = "kes.skey";
    public const string VrfSource = "vrf.skey";
    public const string OpCertSource = "node.cert";

    public const string Usage = """
        usage: forge-fence exec    --node-cmd CMD --agent-cmd CMD --source-dir DIR [common options]
               forge-fence sidecar --node-cmd CMD --control-dir DIR --source-dir DIR [common options]
               forge-fence ctl SOCKET "PING|STATUS|DEADLINE <ns|now+MS> <id>|DISABLE <id>"
        common: [--control-dir DIR] [--node-metrics-url URL] [--enable-bound-ms N] [--disable-bound-ms N]
                [--late-tolerance-ms N] [--poll-ms N] [--startup-credentials-timeout-ms N] [--max-deadline-horizon-ms N]
                [--enable-retry-ms N] [--restart-backoff-ms N]
        The source directory holds kes.skey, vrf.skey and node.cert; the node command names the targets with
        --shelley-kes-key, --shelley-vrf-key and --shelley-operational-certificate and must include
        --start-as-non-producing-node (or --non-producing-node).
        """;

    public static FenceOptions Parse(IReadOnlyList<string> args)
    {
        if (args.Count == 0 || args[0] is not ("exec" or "sidecar")) throw new ArgumentException("expected 'exec' or 'sidecar'");
        string? node = null, agent = null, control = null, source = null;
        Uri? metrics = null;
        var s = new FenceSettings();
        for (var i = 1; i < args.Count; i++)
        {
            var name = args[i];
            string Value() => i + 1 < args.Count ? args[++i] : throw new ArgumentException($"{name} needs a value");
            long Ms() => long.TryParse(Value(), NumberStyles.None, CultureInfo.InvariantCulture, out var v)
                ? v * 1_000_000 : throw new ArgumentException($"{name} needs a non-negative integer (milliseconds)");
            switch (name)
            {
                case "--node-cmd": node = Value(); break;
                case "--agent-cmd": agent = Value(); break;
                case "--control-dir": control = Value(); break;
                case "--source-dir": source = Value(); break;
                case "--node-metrics-url":
                    metrics = Uri.TryCreate(Value(), UriKind.Absolute, out var u) ? u : throw new ArgumentException("--node-metrics-url is not a URL");
                    break;
                case "--enable-bound-ms": s = s with { EnableBound = Ms() }; break;
                case "--disable-bound-ms": s = s with { DisableBound = Ms() }; break;
                case "--late-tolerance-ms": s = s with { LateTolerance = Ms() }; break;
                case "--poll-ms": s = s with { PollMs = (int)(Ms() / 1_000_000) }; break;
                case "--startup-credentials-timeout-ms": s = s with { StartupCredentialTimeout = Ms() }; break;
                case "--max-deadline-horizon-ms": s = s with { MaxDeadlineHorizon = Ms() }; break;
                case "--enable-retry-ms": s = s with { EnableRetryBackoff = Ms() }; break;
                case "--restart-backoff-ms": s = s with { RestartBackoff = Ms() }; break;
                default: throw new ArgumentException($"unknown option {name}");
            }
        }
        s.Validate();
        if (node is null) throw new ArgumentException("--node-cmd is required");
        if (source is null) throw new ArgumentException("--source-dir is required");
        if (args[0] == "exec" && agent is null) throw new ArgumentException("exec mode needs --agent-cmd");
        if (args[0] == "sidecar" && control is null) throw new ArgumentException("sidecar mode needs --control-dir (the shared volume)");
        if (args[0] == "sidecar" && agent is not null) throw new ArgumentException("sidecar mode runs no agent: drop --agent-cmd");

        var nodeCommand = CommandLineSplitter.Split(node);
        if (nodeCommand.Count == 0) throw new ArgumentException("--node-cmd is empty");
        if (!nodeCommand.Contains("--start-as-non-producing-node") && !nodeCommand.Contains("--non-producing-node"))
            throw new ArgumentException("--node-cmd must start the node non-producing (--start-as-non-producing-node or --non-producing-node)");
        return new FenceOptions
        {
            Mode = args[0],
            NodeCommand = nodeCommand,
            AgentCommand = agent is null ? null : CommandLineSplitter.Split(agent),
            ControlDir = control,
            SourceDir = source,
            NodeMetricsUrl = metrics,
            Settings = s,
        };
    }

    /// <summary>(source, target) for the three credentials; targets come from the node command's options.</summary>
    public IReadOnlyList<(string Source, string Target)> CredentialFiles()
    {
        string Target(string option)
        {
            var i = NodeCommand.ToList().IndexOf(option);
            return i >= 0 && i + 1 < NodeCommand.Count
                ? NodeCommand[i + 1]
                : throw new ArgumentException($"--node-cmd has no {option} FILE");
        }
        return
        [
            (Path.Combine(SourceDir, KesSource), Target("--shelley-kes-key")),
            (Path.Combine(SourceDir, VrfSource), Target("--shelley-vrf-key")),
            (Path.Combine(SourceDir, OpCertSource), Target("--shelley-operational-certificate")),
        ];
    }
}
