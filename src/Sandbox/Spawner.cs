using System.Collections.Concurrent;
using System.Diagnostics;

namespace Forge.Sandbox;

/// <summary>
/// Starts every child process from one dedicated, never-ending thread. Children run under
/// <c>setpriv --pdeathsig KILL</c> so none outlives the sandbox even when it is killed with -9; the kernel sends the
/// parent-death signal when the <em>thread</em> that forked exits, so forking from pool threads (which retire)
/// would kill children at random. Each child runs in a session of its own (<c>setsid</c>).
/// </summary>
internal sealed class Spawner : IDisposable
{
    private readonly BlockingCollection<(ProcessStartInfo Info, TaskCompletionSource<Process> Done)> _requests = new();
    private readonly Thread _thread;

    public Spawner()
    {
        _thread = new Thread(Loop) { IsBackground = true, Name = "sandbox-spawner" };
        _thread.Start();
    }

    /// <summary>Starts <paramref name="exe"/> with <paramref name="args"/>, its output appended to <paramref name="logFile"/>.
    /// The returned process's PID is the program's own (the shell, <c>ip netns exec</c> and setpriv exec into it).
    /// With <paramref name="netns"/> it runs in that network namespace (--region-netns).</summary>
    public Task<Process> StartAsync(string exe, IReadOnlyList<string> args, string logFile,
        IReadOnlyDictionary<string, string>? env = null, string? workingDirectory = null, string? netns = null)
    {
        var info = new ProcessStartInfo("/bin/sh")
        {
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? Environment.CurrentDirectory,
        };
        info.ArgumentList.Add("-c");
        // setsid: a session of its own, so a terminal's Ctrl-C reaches only the sandbox, which stops the children in
        // order (fences first); sh is not a group leader, so setsid execs without forking and the PID stays the program's.
        info.ArgumentList.Add((netns is null ? "exec " : "exec ip netns exec \"$NETNS\" ") +
                              "setsid setpriv --pdeathsig KILL -- \"$@\" >>\"$LOGFILE\" 2>&1 </dev/null");
        info.ArgumentList.Add("sh");
        info.ArgumentList.Add(exe);
        foreach (var a in args) info.ArgumentList.Add(a);
        info.Environment["LOGFILE"] = logFile;
        if (netns is not null) info.Environment["NETNS"] = netns;
        foreach (var (k, v) in env ?? new Dictionary<string, string>()) info.Environment[k] = v;
        var done = new TaskCompletionSource<Process>(TaskCreationOptions.RunContinuationsAsynchronously);
        _requests.Add((info, done));
        return done.Task;
    }

    private void Loop()
    {
        foreach (var (info, done) in _requests.GetConsumingEnumerable())
        {
            try
            {
                done.SetResult(Process.Start(info) ?? throw new InvalidOperationException($"could not start {info.ArgumentList[3]}"));
            }
            catch (Exception e)
            {
                done.SetException(e);
            }
        }
    }

    public void Dispose() => _requests.CompleteAdding();
}
