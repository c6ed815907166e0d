using System.Runtime.InteropServices;
using Forge.NodeAgent.Config;
using Forge.NodeAgent.Core;
using Forge.NodeAgent.Credentials;
using Forge.NodeAgent.Fence;
using Forge.NodeAgent.Http;
using Forge.NodeAgent.Lease;
using Forge.NodeAgent.Logging;
using Forge.NodeAgent.Metrics;
using Forge.NodeAgent.Native;
using Forge.NodeAgent.Node;
using Forge.NodeAgent.Runtime;
using Forge.Protocol;
using Forge.Transport;

namespace Forge.NodeAgent;

internal static class Program
{
    public static async Task<int> Main(string[] args)
    {
        if (args is ["dev-certs", var dir, .. var names])
        {
            DevCertificates.CreateSet(dir, names.Length > 0 ? names : null);
            Console.WriteLine($"wrote ca.pem, server.pem/.key, client.pem/.key to {dir} (mode 0600)");
            return 0;
        }

        var gen0Problem = Gen0Budget.EnsureOrReexec(); // returns only when set already or re-executing failed

        AgentSettings settings;
        try
        {
            settings = AgentSettings.Load(EnvReader.FromProcess());
        }
        catch (AgentConfigException e)
        {
            foreach (var error in e.Errors) Console.Error.WriteLine($"forge-agent: {error}");
            return 2;
        }

        var log = JsonLog.Console(("node", settings.Node.ToString()), ("pool", settings.PoolId));
        if (gen0Problem is not null) log.Warn("GC gen0 budget left at the runtime's default (larger RSS)", ("detail", gen0Problem));
        var incarnation = Guid.NewGuid();
        var watch = new CredentialWatch(settings.Credentials);
        var credentials = watch.Current;
        var metrics = new AgentMetrics(settings.Node.Cluster, settings.Region, settings.Mode == AgentMode.SingleCluster);
        metrics.CredentialOperation("inspect", credentials.Ok);
        if (!credentials.Ok) log.Error("alarm: credentials", ("detail", credentials.Problem));
        else
            log.Info("credentials fingerprinted", ("opcertCounter", credentials.Fingerprint!.OpcertCounter),
                ("kesPeriod", credentials.Fingerprint.KesPeriod), ("opcertSha256", credentials.Fingerprint.OpcertHash));

        // every (re)connection registers with the latest fingerprint; none = never eligible
        RegisterAgent Registration() => new(AgentProtocol.Version, settings.PoolId, settings.Node, settings.Region, incarnation,
            watch.Current.Fingerprint ?? new CredentialFingerprint("", -1, -1, null), settings.Mode);

        IGrantSource grants;
        try
        {
            grants = settings.ClusterManagement
                ? new CoordinatorGrantSource(new AgentLink(settings.Coordinators, settings.Tls!, Registration,
                    log: m => log.Warn(m)))
                // single-cluster mode: with COORDINATORS, the Lease leader takes a standalone term on the grant quorum
                : await LeaseGrantSource.CreateAsync(settings, incarnation, log, settings.Coordinators.Count > 0 ? Registration : null);
        }
        catch (InvalidOperationException e)
        {
            Console.Error.WriteLine($"forge-agent: {e.Message}");
            return 2;
        }

        var rules = new AgentRules(settings.PoolId, settings.Node, incarnation, settings.Timings);
        await using var fence = new FenceClient(settings.FenceSocket, settings.Timings.FenceTimeout);
        using var node = new NodeMetricsReader(settings.NodeMetricsUrl, settings.SlotZeroUnixMs, settings.SlotLengthMs);
        var loop = new AgentLoop(settings, rules, grants, fence, node, new NodeKiller(settings.NodeProcessName), metrics, log,
            watch);
        await using var http = new AgentHttpServer(settings.MetricsPort, metrics, () => loop.Healthy, loop.StartupStatus);
        try
        {
            http.Start();
        }
        catch (System.Net.HttpListenerException e)
        {
            Console.Error.WriteLine($"forge-agent: METRICS_PORT={settings.MetricsPort}: {e.Message}");
            return 2;
        }

        using var term = PosixSignalRegistration.Create(PosixSignal.SIGTERM, ctx =>
        {
            ctx.Cancel = true; // the loop decides when to exit (after a handover)
            loop.Post(new AgentEvent.Shutdown());
        });
        using var interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, ctx =>
        {
            ctx.Cancel = true;
            loop.Post(new AgentEvent.Shutdown());
        });

        var code = await loop.RunAsync();
        log.Info("agent exiting", ("code", code));
        await loop.DisposeAsync();
        await grants.DisposeAsync();
        log.Flush(TimeSpan.FromSeconds(1));
        return code;
    }
}
