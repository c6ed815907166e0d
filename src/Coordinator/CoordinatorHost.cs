using Akka.Hosting;
using Microsoft.AspNetCore.Hosting;
using Forge.Coordinator.Hosting;
using Forge.Coordinator.Http;
using Forge.Coordinator.Metrics;
using Forge.Grants;
using Forge.Health;
using Forge.Kubernetes;
using Forge.Shell.Host;
using Forge.Shell.Palettes.Forge;

namespace Forge.Coordinator;

/// <summary>Builds and runs the coordinator: configuration (validated first), Akka.Hosting, Kestrel routes.</summary>
public static class CoordinatorHost
{
    public const string Usage = """
        usage: forge-coordinator [run] [--config FILE.conf]... [--set key=value]...
               forge-coordinator shell [HOST:PORT] [command words...]
               forge-coordinator sandbox [--dir DIR] [--slot-ms N] [--nodes-per-region N] [--regions N]
               forge-coordinator replica-init [--config FILE.conf]... [--set key=value]...   (new deployments only)
          --config FILE   HOCON file over the defaults in hocon/ (repeatable; earlier wins)
          --set k=v       one HOCON value over everything else (repeatable), e.g. --set forge.cluster.region=us-east-1
        """;

    public static async Task<int> RunAsync(string[] args)
    {
        ForgeConfiguration fc;
        try
        {
            var (files, sets) = ParseArgs(args);
            fc = ForgeConfiguration.Load(Path.Combine(AppContext.BaseDirectory, "hocon"), files, sets);
        }
        catch (ArgumentException e)
        {
            Console.Error.WriteLine($"forge-coordinator: configuration error: {e.Message}");
            return 3;
        }
        var app = Build(fc, []);
        await app.RunAsync();
        return 0;
    }

    /// <summary>
    /// <c>replica-init</c>: marks this coordinator's grant-replica directory as never voted, so a brand-new deployment's
    /// first term need not wait out the amnesia hold. Refused where a replica state exists; never for a lost volume.
    /// </summary>
    public static int InitReplica(string[] args)
    {
        try
        {
            var (files, sets) = ParseArgs(args);
            var fc = ForgeConfiguration.Load(Path.Combine(AppContext.BaseDirectory, "hocon"), files, sets);
            FileReplicaStore.InitializeNew(fc.Grants.DataDirectory);
            Console.WriteLine($"forge-coordinator: {fc.Grants.DataDirectory} initialized as a new replica (never voted)");
            return 0;
        }
        catch (ArgumentException e)
        {
            Console.Error.WriteLine($"forge-coordinator: configuration error: {e.Message}");
            return 3;
        }
        catch (InvalidOperationException e)
        {
            Console.Error.WriteLine($"forge-coordinator replica-init: refused: {e.Message}");
            return 1;
        }
    }

    public static (List<string> Files, List<string> Sets) ParseArgs(string[] args)
    {
        var files = new List<string>();
        var sets = new List<string>();
        for (var i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--config" when i + 1 < args.Length:
                    files.Add(args[++i]);
                    break;
                case "--set" when i + 1 < args.Length:
                    sets.Add(args[++i]);
                    break;
                default:
                    throw new ArgumentException($"unexpected argument '{args[i]}'\n{Usage}");
            }
        }
        return (files, sets);
    }

    /// <summary>The web application with the actor system; tests start it on loopback ports.</summary>
    public static WebApplication Build(ForgeConfiguration fc, string[] webArgs, IHealthProbe? probe = null)
    {
        var builder = WebApplication.CreateSlimBuilder(webArgs);
        builder.WebHost.UseUrls($"http://0.0.0.0:{fc.Coordinator.HttpPort}");
        builder.Services.AddSingleton(fc);
        builder.Services.AddHttpClient();
        builder.Services.AddHealthChecks();
        builder.Services.AddSingleton<CoordinatorMetrics>();
        var healthProbe = probe ?? new HttpHealthProbe(new HttpClient());
        var projection = ProjectionSettings.FromConfig(fc.Config);
        var kube = ForgeProjectionHosting.CreateClient(fc.Config);
        var clusterApi = ForgeProjectionHosting.CreateApi(kube, projection);
        if (clusterApi is not null) builder.Services.AddSingleton(clusterApi);
        builder.Services.AddAkka(fc.Coordinator.SystemName, (akka, sp) =>
        {
            akka.AddHocon(fc.Config, HoconAddMode.Prepend)
                .ConfigureLoggers(l => l.AddLoggerFactory())
                .AddForgeCluster(fc)
                .AddForgeSpecs()
                .AddForgeGrants(fc, ForgeProjectionHosting.CreatePodFenceApi(kube, projection))
                .AddForgeNodes(fc)
                .AddForgeArbiter(fc, healthProbe)
                .AddForgeMetrics(sp.GetRequiredService<CoordinatorMetrics>(), fc)
                .AddForgeAgentGateway(fc)
                .AddForgeProjection(fc, projection, clusterApi)
                .AddForgeLivenessWatchdog(fc, projection: clusterApi is not null)
                .AddForgeShell(sp, system => new GrantQuorum(fc.Grants.Regions, ForgeGrantsHosting.Directory(system, fc)));
        });
        var app = builder.Build();
        app.MapForgeRoutes();
        return app;
    }
}
