using System.Runtime.InteropServices;
using Forge.Fence.Control;
using Forge.Fence.Exec;
using Forge.Fence.Node;

namespace Forge.Fence;

internal static class Program
{
    public static int Main(string[] args)
    {
        if (args.Length > 0 && args[0] == "ctl") return ControlCli.Run(args);

        FenceOptions options;
        try
        {
            options = FenceOptions.Parse(args);
            options.CredentialFiles();
        }
        catch (ArgumentException e)
        {
            Console.Error.WriteLine($"forge-fence: {e.Message}\n{FenceOptions.Usage}");
            return 2;
        }
        if (!ChildLauncher.SetprivAvailable())
        {
            Console.Error.WriteLine("forge-fence: setpriv (util-linux) not found on PATH; it sets the node's parent-death signal");
            return 2;
        }

        var prepared = JitWarmup.PrepareAll();

        // CreateTempSubdirectory makes the directory 0700 on Unix
        var controlDir = options.ControlDir ?? Directory.CreateTempSubdirectory("forge-fence-").FullName;
        var launcher = new ChildLauncher();
        using var metrics = new MetricsProbe(options.NodeMetricsUrl);
        ControlServer? server = null;
        using var relay = new LineRelay(line =>
        {
            Console.Out.WriteLine(line);
            server?.Broadcast("LOG " + line);
        });
        using var fence = new FenceLoop(options.Settings, options.NodeCommand,
            new CredentialInstaller(options.CredentialFiles()), metrics, launcher,
            relayNodeLine: relay.Post,
            publishEvent: e => server?.Broadcast(e));
        try
        {
            server = new ControlServer(controlDir, fence);
        }
        catch (Exception e) when (e is InvalidOperationException or IOException or System.Net.Sockets.SocketException)
        {
            Console.Error.WriteLine($"forge-fence: control channel: {e.Message}");
            return 2;
        }
        using var serverLifetime = server;
        FenceLog.Info("fence started", ("mode", options.Mode), ("socket", server.SocketPath), ("jit-prepared", prepared));

        using var agent = options.AgentCommand is { } agentCommand
            ? new AgentSupervisor(agentCommand, new Dictionary<string, string>
            {
                ["FORGE_FENCE_SOCKET"] = server.SocketPath,
                ["FORGE_FENCE_MODE"] = options.Mode,
            }, launcher, fence)
            : null;
        if (agent is not null)
        {
            fence.OnTick = agent.Poll;
            fence.AgentPid = () => agent.Pid;
        }

        using var stop = new ManualResetEventSlim();
        using var term = PosixSignalRegistration.Create(PosixSignal.SIGTERM, ctx => { ctx.Cancel = true; stop.Set(); });
        using var intr = PosixSignalRegistration.Create(PosixSignal.SIGINT, ctx => { ctx.Cancel = true; stop.Set(); });

        var thread = new Thread(fence.Run) { Name = "fence", Priority = ThreadPriority.Highest };
        thread.Start();
        stop.Wait();
        agent?.Stop();
        fence.RequestStop();
        thread.Join();
        return 0;
    }
}
