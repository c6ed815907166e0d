using System.Text.Json;
using System.Text.Json.Nodes;
using Forge.StandIn.Credentials;
using Forge.StandIn.Output;

namespace Forge.StandIn;

internal static class Program
{
    public static int Main(string[] args)
    {
        if (args.Length > 0 && args[0] == "standin-keygen") return KeyGen.Run(args);

        var options = StandInOptions.Parse(args, out var error);
        if (options is null)
        {
            Console.Error.WriteLine($"cardano-node-standin: {error}\n{StandInOptions.Usage}");
            return 1;
        }
        options = options with { StartNonProducing = options.StartNonProducing || ConfigSaysNonProducing(options.ConfigPath) };

        // cardano-node reads the credentials at startup even when it starts non-producing: refuse as it does
        var credentials = new CredentialFiles(options.KesKeyPath, options.VrfKeyPath, options.OpCertPath);
        switch (credentials.Check())
        {
            case CredentialCheck.Missing m:
                Console.Error.WriteLine($"cardano-node-standin: credential file does not exist: {m.Path}");
                return 1;
            case CredentialCheck.Invalid bad:
                Console.Error.WriteLine($"cardano-node-standin: invalid credential file {bad.Path}: {bad.Reason}");
                return 1;
            case CredentialCheck.Valid valid:
                if (options.DatabasePath is { } db) Directory.CreateDirectory(db);
                using (var log = new NodeLog(options.LogPath))
                using (var forgeLog = new ForgeLog(options.ForgeLogPath, options.Pool, options.NodeId))
                {
                    // cardano-node traces its basic info only after the protocol (and so the credentials) was read:
                    // from this line on, startup no longer needs the files
                    log.Info(NodeLog.StartupNs, new JsonObject
                    {
                        ["kind"] = "BasicInfoCommon",
                        ["configPath"] = options.ConfigPath ?? "",
                        ["protocol"] = "Cardano",
                        ["version"] = "standin",
                        ["nodeStartTime"] = DateTime.UtcNow.ToString("O"),
                    });
                    log.Info(NodeLog.StartupNs, new JsonObject
                    {
                        ["kind"] = "StartupInfo",
                        ["localSocket"] = options.SocketPath,
                        ["nodeAddresses"] = new JsonArray($"0.0.0.0:{options.Port}"),
                    });
                    return new NodeRuntime(options, log, forgeLog, credentials, valid.OpCert).Run();
                }
            default:
                return 1;
        }
    }

    /// <summary>The config-file way to start non-producing (<c>"StartAsNonProducingNode": true</c> in a JSON config).</summary>
    private static bool ConfigSaysNonProducing(string? configPath)
    {
        if (configPath is null || !File.Exists(configPath)) return false;
        try
        {
            return JsonNode.Parse(File.ReadAllText(configPath))?["StartAsNonProducingNode"]?.GetValue<bool>() == true;
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or FormatException)
        {
            return false; // a YAML config: not read by the stand-in
        }
    }
}
