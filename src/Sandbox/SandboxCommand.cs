using System.Diagnostics;
using System.Runtime.InteropServices;

namespace Forge.Sandbox;

/// <summary><c>forge-coordinator sandbox [options]</c>: the guide's world on this machine until Ctrl-C or SIGTERM.</summary>
public static class SandboxCommand
{
    public static async Task<int> RunAsync(string[] args)
    {
        var started = Stopwatch.StartNew();
        SandboxOptions options;
        try
        {
            options = SandboxOptions.Parse(args);
        }
        catch (SandboxUsageException e)
        {
            if (e.Message.Length > 0) await Console.Error.WriteLineAsync($"forge-coordinator sandbox: {e.Message}");
            await Console.Error.WriteLineAsync(SandboxOptions.Usage);
            return e.Message.Length > 0 ? 64 : 0;
        }

        using var stop = new CancellationTokenSource();
        SandboxHost? host = null;
        var signals = 0;
        void OnSignal(PosixSignalContext ctx)
        {
            ctx.Cancel = true;
            if (Interlocked.Increment(ref signals) == 1)
            {
                stop.Cancel();
            }
            else
            {
                Console.Error.WriteLine("sandbox: second signal: killing every child now");
                host?.KillAll();
            }
        }
        using var term = PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal);
        using var intr = PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal);

        // `dotnet run` that is killed (not Ctrl-C'd) does not pass the signal on: stop when it goes away
        var launcher = ProcFs.Parent(Environment.ProcessId);
        if (Path.GetFileName(ProcFs.CommandLine(launcher).Split(' ')[0]) == "dotnet")
            _ = WatchParentAsync(launcher, stop);

        var rc = 0;
        try
        {
            host = new SandboxHost(options, Console.Out, started);
        }
        catch (SandboxStartException e)
        {
            await Console.Error.WriteLineAsync($"forge-coordinator sandbox: {e.Message}");
            return 1;
        }
        try
        {
            await host.StartAsync(stop.Token);
            await host.RunAsync(options.ReadyTimeout, stop.Token);
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
        }
        catch (Exception e) when (e is SandboxStartException or FileNotFoundException or IOException or UnauthorizedAccessException
                                       or InvalidOperationException or System.ComponentModel.Win32Exception)
        {
            await Console.Error.WriteLineAsync($"forge-coordinator sandbox: {e.Message}");
            rc = 1;
        }
        finally
        {
            try
            {
                await host.StopAsync();
            }
            finally
            {
                await host.DisposeAsync();
            }
        }
        return rc;
    }

    private static async Task WatchParentAsync(int parent, CancellationTokenSource stop)
    {
        while (!stop.IsCancellationRequested)
        {
            await Task.Delay(500);
            if (ProcFs.Parent(Environment.ProcessId) != parent)
            {
                await Console.Error.WriteLineAsync("sandbox: the launching `dotnet` process is gone: stopping");
                await stop.CancelAsync();
            }
        }
    }
}
