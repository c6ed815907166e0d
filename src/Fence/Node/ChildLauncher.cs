using System.Collections.Concurrent;
using System.Diagnostics;

namespace Forge.Fence.Node;

/// <summary>
/// Starts the fence's children (node, agent) under <c>setpriv --pdeathsig KILL</c>, so each dies with the fence.
/// The parent-death signal fires when the *thread* that forked the child exits, and .NET forks on the calling thread:
/// every child is therefore forked from this one dedicated thread, which lives as long as the process.
/// </summary>
internal sealed class ChildLauncher
{
    private readonly BlockingCollection<(ProcessStartInfo Info, TaskCompletionSource<Process> Result)> _requests = [];

    public ChildLauncher()
    {
        var thread = new Thread(Serve) { IsBackground = true, Name = "child-launcher" };
        thread.Start();
    }

    public static bool SetprivAvailable() =>
        Environment.GetEnvironmentVariable("PATH")?.Split(':').Any(d => File.Exists(Path.Combine(d, "setpriv"))) == true;

    /// <summary>Starts <paramref name="command"/> with stdout and stderr redirected; blocks until it is forked.</summary>
    public Process Start(IReadOnlyList<string> command, IReadOnlyDictionary<string, string>? environment = null)
    {
        var info = new ProcessStartInfo("setpriv")
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = false,
        };
        foreach (var a in new[] { "--pdeathsig", "KILL", "--" }.Concat(command)) info.ArgumentList.Add(a);
        if (environment is not null)
        {
            foreach (var (k, v) in environment) info.Environment[k] = v;
        }
        var result = new TaskCompletionSource<Process>(TaskCreationOptions.RunContinuationsAsynchronously);
        _requests.Add((info, result));
        return result.Task.GetAwaiter().GetResult();
    }

    private void Serve()
    {
        foreach (var (info, result) in _requests.GetConsumingEnumerable())
        {
            try
            {
                result.SetResult(Process.Start(info) ?? throw new InvalidOperationException("process did not start"));
            }
            catch (Exception e)
            {
                result.SetException(e);
            }
        }
    }
}
