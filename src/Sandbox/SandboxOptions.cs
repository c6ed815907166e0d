namespace Forge.Sandbox;

/// <summary>Command-line options of <c>forge-coordinator sandbox</c>, validated at parse time.</summary>
public sealed record SandboxOptions(string Dir, int SlotMs, int NodesPerRegion, int Regions)
{
    /// <summary>Coordinator processes per region (1-3).</summary>
    public int CoordinatorsPerRegion { get; init; } = 1;

    /// <summary>"exec" (fence, agent and node in the forge-manager container) or "sidecar" (the fence is the
    /// cardano-node container's entrypoint; the agent is the forge-manager container and feeds it through a shared directory).</summary>
    public string Mode { get; init; } = "exec";

    /// <summary>How long to wait for a verified forger before writing sandbox.json anyway (and saying so).</summary>
    public TimeSpan ReadyTimeout { get; init; } = TimeSpan.FromSeconds(120);

    /// <summary>Each region's processes in a network namespace of their own, on an address of their own (root or
    /// CAP_NET_ADMIN): what network-partition tests need. Off by default.</summary>
    public bool RegionNetns { get; init; }

    /// <summary>Every coordinator and agent under libfaketime with a timestamp file of its own (<see cref="Faketime"/>).</summary>
    public bool Faketime { get; init; }

    public const string Usage =
        "usage: forge-coordinator sandbox [--dir DIR] [--slot-ms N] [--nodes-per-region N] [--regions N]\n" +
        "  --dir DIR               state, logs, certificates, kubeconfig and sandbox.json (default ./.sandbox)\n" +
        "  --slot-ms N             stand-in slot length in milliseconds, 50-60000 (default 1000)\n" +
        "  --nodes-per-region N    cardano-node stand-ins per region, 1-5 (default 2)\n" +
        "  --regions N             regions, 1-5 (default 3: us-east-1, us-west-2, eu-west-1)\n" +
        "  --coordinators-per-region N   coordinator processes per region, 1-3 (default 1)\n" +
        "  --mode exec|sidecar     pod layout (default exec: fence, agent and node in the forge-manager container)\n" +
        "  --ready-timeout S       seconds to wait for a verified forger before writing sandbox.json anyway (default 120)\n" +
        "  --region-netns          each region in its own network namespace on 10.77.N.(11+i) (root or CAP_NET_ADMIN; for partition tests)\n" +
        "  --faketime              coordinators and agents under libfaketime, each with its own offset file (clock-jump tests)";

    public static SandboxOptions Parse(IReadOnlyList<string> args)
    {
        var o = new SandboxOptions(Path.GetFullPath(".sandbox"), 1000, 2, 3);
        for (var i = 0; i < args.Count; i++)
        {
            string Value() => i + 1 < args.Count ? args[++i] : throw new SandboxUsageException($"{args[i]} needs a value");
            int Int(string name, int min, int max)
            {
                var text = Value();
                return int.TryParse(text, out var n) && n >= min && n <= max
                    ? n
                    : throw new SandboxUsageException($"{name} must be an integer from {min} to {max}, not '{text}'");
            }
            o = args[i] switch
            {
                "--dir" => o with { Dir = Path.GetFullPath(Value()) },
                "--slot-ms" => o with { SlotMs = Int("--slot-ms", 50, 60_000) },
                "--nodes-per-region" => o with { NodesPerRegion = Int("--nodes-per-region", 1, 5) },
                "--regions" => o with { Regions = Int("--regions", 1, RegionCatalog.All.Length) },
                "--coordinators-per-region" => o with { CoordinatorsPerRegion = Int("--coordinators-per-region", 1, 3) },
                "--ready-timeout" => o with { ReadyTimeout = TimeSpan.FromSeconds(Int("--ready-timeout", 1, 3600)) },
                "--mode" => o with { Mode = Value() is "exec" or "sidecar" ? args[i] : throw new SandboxUsageException($"--mode must be exec or sidecar, not '{args[i]}'") },
                "--region-netns" => o with { RegionNetns = true },
                "--faketime" => o with { Faketime = true },
                "-h" or "--help" => throw new SandboxUsageException(""),
                _ => throw new SandboxUsageException($"unknown option '{args[i]}'"),
            };
        }
        return o;
    }
}

public sealed class SandboxUsageException(string message) : Exception(message)
{
    public SandboxUsageException() : this("bad usage") { }
    public SandboxUsageException(string message, Exception inner) : this(message + ": " + inner.Message) { }
}

/// <summary>The guide's regions first, in priority order; more for larger sandboxes.</summary>
public static class RegionCatalog
{
    public static readonly (string Cluster, string Region)[] All =
    [
        ("us-east-1-prod", "us-east-1"),
        ("us-west-2-prod", "us-west-2"),
        ("eu-west-1-prod", "eu-west-1"),
        ("ap-south-1-prod", "ap-south-1"),
        ("sa-east-1-prod", "sa-east-1"),
    ];
}
