using System.Collections.Concurrent;
using System.Diagnostics;

namespace Forge.Monitoring.Tests.EndToEnd;

/// <summary>
/// A child process that cannot outlive the test run: started under <c>setpriv --pdeathsig KILL</c> from a thread of its
/// own that lives until <see cref="Dispose"/> (the kernel sends the parent-death signal when the forking thread exits,
/// so forking from a pool thread would kill the child at random). Its output goes to <see cref="Log"/>.
/// <see cref="Dispose"/> sends SIGTERM, waits, then SIGKILL.
/// </summary>
internal sealed class OwnedProcess : IDisposable
{
    private readonly ManualResetEventSlim _release = new();
    private readonly Thread _owner;
    private readonly TimeSpan _stopLimit;
    private Process? _process;
    private Exception? _failed;

    public OwnedProcess(string exe, IEnumerable<string> args, string logFile, IReadOnlyDictionary<string, string>? env = null, TimeSpan? stopLimit = null)
    {
        Log = logFile;
        _stopLimit = stopLimit ?? TimeSpan.FromSeconds(60);
        var info = new ProcessStartInfo("/bin/sh") { UseShellExecute = false };
        info.ArgumentList.Add("-c");
        info.ArgumentList.Add("exec setpriv --pdeathsig KILL -- \"$@\" >>\"$LOGFILE\" 2>&1 </dev/null");
        info.ArgumentList.Add("sh");
        info.ArgumentList.Add(exe);
        foreach (var a in args) info.ArgumentList.Add(a);
        info.Environment["LOGFILE"] = logFile;
        foreach (var (k, v) in env ?? new Dictionary<string, string>()) info.Environment[k] = v;
        var started = new ManualResetEventSlim();
        _owner = new Thread(() =>
        {
            try
            {
                _process = Process.Start(info);
            }
            catch (Exception e)
            {
                _failed = e;
            }
            started.Set();
            _release.Wait();
        }) { IsBackground = true, Name = "owned-" + Path.GetFileName(exe) };
        _owner.Start();
        started.Wait();
        if (_failed is not null || _process is null) throw new InvalidOperationException($"could not start {exe}", _failed);
    }

    public string Log { get; }

    public int Pid => _process!.Id;

    public bool HasExited => _process!.HasExited;

    public string Output()
    {
        if (!File.Exists(Log)) return "";
        using var s = new FileStream(Log, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        using var r = new StreamReader(s);
        return r.ReadToEnd();
    }

    public string Tail(int lines) => string.Join('\n', Output().Split('\n').TakeLast(lines));

    public void Dispose()
    {
        if (_process is { HasExited: false } p)
        {
            Signal(p.Id, "TERM");
            if (!p.WaitForExit(_stopLimit))
            {
                p.Kill(entireProcessTree: true);
                p.WaitForExit();
            }
        }
        _process?.Dispose();
        _release.Set();
        _owner.Join();
        _release.Dispose();
    }

    private static void Signal(int pid, string signal)
    {
        using var kill = Process.Start(new ProcessStartInfo("kill", ["-" + signal, pid.ToString(System.Globalization.CultureInfo.InvariantCulture)])
            { UseShellExecute = false })!;
        kill.WaitForExit();
    }
}
