using System.Diagnostics;

namespace Forge.Sandbox;

/// <summary>
/// One child of the sandbox, restarted after <see cref="RestartDelay"/> whenever it exits, as a kubelet restarts a
/// container. Killing it by PID is a fault the system must handle, not a sandbox error.
/// </summary>
internal sealed class SupervisedProcess
{
    private readonly Spawner _spawner;
    private readonly Func<Task>? _beforeStart;
    private Process? _process;
    private volatile bool _stopping;
    private volatile bool _held; // a pod deletion is killing it: no restart until StartFreshAsync

    public SupervisedProcess(Spawner spawner, string name, string exe, IReadOnlyList<string> args, string logFile,
        IReadOnlyDictionary<string, string>? env, TimeSpan restartDelay, Func<Task>? beforeStart = null, string? netns = null)
    {
        Netns = netns;
        _spawner = spawner;
        Name = name;
        Exe = exe;
        Args = args;
        LogFile = logFile;
        Env = env;
        RestartDelay = restartDelay;
        _beforeStart = beforeStart;
    }

    public string Name { get; }
    public string Exe { get; }
    public IReadOnlyList<string> Args { get; }
    public string LogFile { get; }
    public IReadOnlyDictionary<string, string>? Env { get; }
    public TimeSpan RestartDelay { get; }
    public string? Netns { get; }
    public int Pid => _process is { } p ? SafePid(p) : 0;
    public int Restarts { get; private set; }

    /// <summary>Raised (on a pool thread) after every (re)start with the new PID.</summary>
    public event Action<SupervisedProcess>? Started;

    public async Task StartAsync()
    {
        if (_beforeStart is not null) await _beforeStart();
        var process = await _spawner.StartAsync(Exe, Args, LogFile, Env, netns: Netns);
        _process = process;
        process.EnableRaisingEvents = true;
        process.Exited += (_, _) => _ = RestartLaterAsync(process);
        Started?.Invoke(this);
    }

    /// <summary>No restart of this process until <see cref="StartFreshAsync"/>: its pod is being deleted.</summary>
    public void HoldRestarts() => _held = true;

    /// <summary>Once the held process has exited, starts it anew (the StatefulSet recreating a deleted pod) and
    /// supervises it again. Nothing starts when the sandbox is stopping.</summary>
    public async Task StartFreshAsync()
    {
        if (_process is { } old) await old.WaitForExitAsync();
        if (_stopping) return;
        try
        {
            await StartAsync();
        }
        catch (Exception) when (_process is { } old2)
        {
            _held = false; // supervised again: retried as any failed restart
            _ = RestartLaterAsync(old2);
            throw;
        }
        _held = false; // only now: an Exited handler of the old process finds _process replaced
    }

    private bool Superseded(Process exited) => _stopping || _held || !ReferenceEquals(_process, exited);

    private async Task RestartLaterAsync(Process exited)
    {
        if (Superseded(exited)) return;
        await File.AppendAllTextAsync(LogFile,
            $"{DateTimeOffset.UtcNow:O} sandbox: {Name} exited ({ExitOf(exited)}); restarting in {RestartDelay.TotalSeconds:0.#}s{Environment.NewLine}");
        await Task.Delay(RestartDelay);
        if (Superseded(exited)) return;
        Restarts++;
        try
        {
            await StartAsync();
        }
        catch (Exception e)
        {
            await File.AppendAllTextAsync(LogFile, $"sandbox: restart of {Name} failed: {e.Message}{Environment.NewLine}");
            _ = RestartLaterAsync(exited);
        }
    }

    /// <summary>Stops supervising and ends the process: SIGTERM, then SIGKILL after <paramref name="grace"/>.</summary>
    public async Task StopAsync(TimeSpan grace)
    {
        _stopping = true;
        var p = _process;
        if (p is null || p.HasExited) return;
        Native.Kill(SafePid(p), Native.SIGTERM);
        using var cts = new CancellationTokenSource(grace);
        try
        {
            await p.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            Native.Kill(SafePid(p), Native.SIGKILL);
            await p.WaitForExitAsync();
        }
    }

    /// <summary>SIGKILL now, no restart.</summary>
    public void Kill()
    {
        _stopping = true;
        if (_process is { } p && !p.HasExited) Native.Kill(SafePid(p), Native.SIGKILL);
    }

    /// <summary>"exit code N" or "signal N" (the shell that execs the program reports a signal as 128 + N).</summary>
    private static string ExitOf(Process? p)
    {
        try
        {
            return p is null ? "no process" : p.ExitCode > 128 ? $"signal {p.ExitCode - 128}" : $"exit code {p.ExitCode}";
        }
        catch (InvalidOperationException)
        {
            return "exit code unknown";
        }
    }

    private static int SafePid(Process p)
    {
        try
        {
            return p.Id;
        }
        catch (InvalidOperationException)
        {
            return 0;
        }
    }
}
