using System.Globalization;
using Forge.Protocol;

namespace Forge.StandIn;

/// <summary>
/// The command line: cardano-node's own <c>run</c> options (the ones a block producer uses) plus <c>--standin-*</c>
/// options that drive the simulation. Parsed by hand so that an unknown option fails like cardano-node's optparse does.
/// </summary>
internal sealed record StandInOptions
{
    public required string KesKeyPath { get; init; }
    public required string VrfKeyPath { get; init; }
    public required string OpCertPath { get; init; }
    public bool StartNonProducing { get; init; }
    public string? SocketPath { get; init; }
    public int Port { get; init; } = 3001;
    public string? ConfigPath { get; init; }
    public string? TopologyPath { get; init; }
    public string? DatabasePath { get; init; }

    public int MetricsPort { get; init; } = 12798;
    public string NodeId { get; init; } = "standin/standin-0";
    public string Pool { get; init; } = "pool1standin";
    public string? ForgeLogPath { get; init; }
    public string? LogPath { get; init; }
    public int SlotMs { get; init; } = 1000;
    /// <summary>Unix ms of slot 0, shared by every stand-in of a test so they agree on slot numbers.</summary>
    public long EpochUnixMs { get; init; }
    public double LeaderFraction { get; init; } = 1.0;
    public long StartBehindSlots { get; init; }
    /// <summary>Chain slots validated per second of wall time while catching up.</summary>
    public double CatchupRate { get; init; } = 1000;
    public int SyncLagSlots { get; init; } = SyncDefinition.DefaultMaxLagSlots;
    public int KernelDelayMs { get; init; } = 500;
    public bool ForgingMetricBug { get; init; }
    public long SlotsPerKesPeriod { get; init; } = 129_600;
    public int MaxKesEvolutions { get; init; } = 62;

    public const string Usage = """
        usage: cardano-node-standin run --shelley-kes-key FILE --shelley-vrf-key FILE
                 --shelley-operational-certificate FILE [--non-producing-node | --start-as-non-producing-node]
                 [--socket-path PATH] [--port N] [--config FILE] [--topology FILE] [--database-path DIR]
                 [--standin-metrics-port N] [--standin-node-id CLUSTER/POD] [--standin-pool ID]
                 [--standin-forge-log FILE] [--standin-log FILE] [--standin-slot-ms N] [--standin-epoch-unix-ms N]
                 [--standin-leader-fraction F] [--standin-start-behind-slots N] [--standin-catchup-rate SLOTS_PER_S]
                 [--standin-sync-lag-slots N] [--standin-kernel-delay-ms N] [--standin-forging-metric-bug]
                 [--standin-slots-per-kes-period N]
               cardano-node-standin standin-keygen --out DIR [--counter N] [--kes-period N]
        """;

    /// <summary>Parses <c>run ...</c>; returns null and an error message naming the option on bad input.</summary>
    public static StandInOptions? Parse(IReadOnlyList<string> args, out string error)
    {
        error = "";
        if (args.Count == 0 || args[0] != "run")
        {
            error = "expected the 'run' command";
            return null;
        }

        string? kes = null, vrf = null, cert = null;
        var o = new StandInOptions { KesKeyPath = "", VrfKeyPath = "", OpCertPath = "" };
        for (var i = 1; i < args.Count; i++)
        {
            var name = args[i];
            string Value()
            {
                if (i + 1 >= args.Count) throw new FormatException($"{name} needs a value");
                return args[++i];
            }
            long Long() => long.TryParse(Value(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var v) && v >= 0
                ? v : throw new FormatException($"{name} needs a non-negative integer");
            int Int() => checked((int)Long());
            double Double() => double.TryParse(Value(), NumberStyles.Float, CultureInfo.InvariantCulture, out var v) && v >= 0
                ? v : throw new FormatException($"{name} needs a non-negative number");

            try
            {
                o = name switch
                {
                    "--shelley-kes-key" => o with { KesKeyPath = kes = Value() },
                    "--shelley-vrf-key" => o with { VrfKeyPath = vrf = Value() },
                    "--shelley-operational-certificate" => o with { OpCertPath = cert = Value() },
                    "--non-producing-node" or "--start-as-non-producing-node" => o with { StartNonProducing = true },
                    "--socket-path" => o with { SocketPath = Value() },
                    "--port" => o with { Port = Int() },
                    "--config" => o with { ConfigPath = Value() },
                    "--topology" => o with { TopologyPath = Value() },
                    "--database-path" => o with { DatabasePath = Value() },
                    "--host-addr" or "--host-ipv6-addr" => Skip(o, Value()),
                    "--standin-metrics-port" => o with { MetricsPort = Int() },
                    "--standin-node-id" => o with { NodeId = Protocol.NodeId.Parse(Value()).ToString() },
                    "--standin-pool" => o with { Pool = Value() },
                    "--standin-forge-log" => o with { ForgeLogPath = Value() },
                    "--standin-log" => o with { LogPath = Value() },
                    "--standin-slot-ms" => o with { SlotMs = Int() },
                    "--standin-epoch-unix-ms" => o with { EpochUnixMs = Long() },
                    "--standin-leader-fraction" => o with { LeaderFraction = Double() },
                    "--standin-start-behind-slots" => o with { StartBehindSlots = Long() },
                    "--standin-catchup-rate" => o with { CatchupRate = Double() },
                    "--standin-sync-lag-slots" => o with { SyncLagSlots = Int() },
                    "--standin-kernel-delay-ms" => o with { KernelDelayMs = Int() },
                    "--standin-forging-metric-bug" => o with { ForgingMetricBug = true },
                    "--standin-slots-per-kes-period" => o with { SlotsPerKesPeriod = Long() },
                    _ => throw new FormatException($"unknown option {name}"),
                };
            }
            catch (FormatException e)
            {
                error = e.Message;
                return null;
            }
        }

        if (kes is null || vrf is null || cert is null)
        {
            // cardano-node fails the same way when a block producer lacks a credential option
            error = "missing --shelley-kes-key, --shelley-vrf-key or --shelley-operational-certificate";
            return null;
        }
        if (o.SlotMs < 10) error = "--standin-slot-ms must be at least 10";
        else if (o.LeaderFraction > 1.0) error = "--standin-leader-fraction must be within 0..1";
        else if (o.SlotsPerKesPeriod < 1) error = "--standin-slots-per-kes-period must be at least 1";
        else if (o.MetricsPort > 65535) error = "--standin-metrics-port must be a TCP port";
        return error.Length == 0 ? o : null;
    }

    private static StandInOptions Skip(StandInOptions o, string _) => o;
}
