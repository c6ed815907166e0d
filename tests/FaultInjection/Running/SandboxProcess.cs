using System.Diagnostics;
using System.Globalization;
using System.Reflection;
using Forge.FaultInjection.Checking;

namespace Forge.FaultInjection.Running;

/// <summary>
/// A sandbox (<c>forge-coordinator sandbox --dir TMP --slot-ms N</c>) owned by the runner. It is started under
/// <c>setpriv --pdeathsig KILL</c> from a dedicated thread that lives as long as this object (the kernel sends the
/// parent-death signal when the forking <em>thread</em> exits), so a crashed runner leaves no sandbox behind.
/// </summary>
public sealed class SandboxProcess : IDisposable
{
    private readonly ManualResetEventSlim _release = new();
    private readonly Process _process;

    private SandboxProcess(string root, int slotMs, int readyTimeoutSeconds, IReadOnlyList<string> extraArgs)
    {
        Root = root;
        Dir = Path.Combine(root, "sbx");
        OutputPath = Path.Combine(root, "sandbox.out");
        var exe = LocateCoordinator();
        var started = new TaskCompletionSource<Process>(TaskCreationOptions.RunContinuationsAsynchronously);
        var thread = new Thread(() =>
        {
            try
            {
                var info = new ProcessStartInfo("/bin/sh") { UseShellExecute = false };
                info.ArgumentList.Add("-c");
                info.ArgumentList.Add("exec setpriv --pdeathsig KILL -- \"$@\" >\"$OUT\" 2>&1 </dev/null");
                info.ArgumentList.Add("sh");
                foreach (var a in new[] { exe, "sandbox", "--dir", Dir, "--slot-ms", slotMs.ToString(CultureInfo.InvariantCulture),
                             "--ready-timeout", readyTimeoutSeconds.ToString(CultureInfo.InvariantCulture) }.Concat(extraArgs))
                    info.ArgumentList.Add(a);
                info.Environment["OUT"] = OutputPath;
                started.SetResult(Process.Start(info)!);
            }
            catch (Exception e)
            {
                started.SetException(e);
            }
            _release.Wait();
        }) { IsBackground = true, Name = "fault-injection-sandbox" };
        thread.Start();
        _process = started.Task.GetAwaiter().GetResult();
    }

    public string Root { get; }
    public string Dir { get; }
    public string OutputPath { get; }
    public string ManifestPath => Path.Combine(Dir, "sandbox.json");
    public bool Exited => _process.HasExited;

    /// <summary>Starts the sandbox; <paramref name="extraArgs"/>: --region-netns, --faketime when a scenario needs them.</summary>
    public static SandboxProcess Start(int slotMs, IReadOnlyList<string>? extraArgs = null, int readyTimeoutSeconds = 150) =>
        new(Directory.CreateTempSubdirectory("forge-fault-injection-").FullName, slotMs, readyTimeoutSeconds, extraArgs ?? []);

    public string Output => File.Exists(OutputPath) ? ReadShared(OutputPath) : "";

    public bool Ready => Output.Contains("sandbox ready", StringComparison.Ordinal);

    public Manifest Manifest() => Running.Manifest.Parse(ReadShared(ManifestPath));

    public IReadOnlyList<NodeForgeLog> ForgeLogs() => Manifest().Nodes.Select(n => ForgeLogReader.Read(n.ForgeLog)).ToList();

    /// <summary>Waits for "sandbox ready"; false (with the sandbox's own words in <see cref="Output"/>) when it never came.</summary>
    public Task<bool> WaitReadyAsync(TimeSpan limit) => Poll.UntilAsync(() => Ready && File.Exists(ManifestPath) || Exited, limit)
        .ContinueWith(t => t.Result && Ready, TaskScheduler.Default);

    public static string ReadShared(string path)
    {
        using var s = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        using var r = new StreamReader(s);
        return r.ReadToEnd();
    }

    /// <summary>forge-coordinator: FORGE_SANDBOX_BIN, else src/Coordinator's build output above the current directory or this assembly.</summary>
    public static string LocateCoordinator()
    {
        if (Environment.GetEnvironmentVariable("FORGE_SANDBOX_BIN") is { Length: > 0 } bin) return Path.Combine(bin, "forge-coordinator");
        foreach (var start in new[] { Environment.CurrentDirectory, AppContext.BaseDirectory })
        {
            for (var d = new DirectoryInfo(start); d is not null; d = d.Parent)
            {
                if (!File.Exists(Path.Combine(d.FullName, "Coordinator.sln"))) continue;
                // this assembly's configuration first: ./test.sh builds Release, and a stale Debug build must not win
                var mine = typeof(SandboxProcess).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "Debug";
                foreach (var conf in new[] { mine, "Debug", "Release" }.Distinct())
                {
                    var exe = Path.Combine(d.FullName, "src", "Coordinator", "bin", conf, "net10.0", "forge-coordinator");
                    if (File.Exists(exe)) return exe;
                }
            }
        }
        throw new FileNotFoundException("forge-coordinator is not built: run `dotnet build src/Coordinator` (or set FORGE_SANDBOX_BIN)");
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            Native.Signal(_process.Id, Native.SIGTERM);
            if (!_process.WaitForExit(60_000)) Native.Signal(_process.Id, Native.SIGKILL);
        }
        _release.Set();
        if (Environment.GetEnvironmentVariable("FORGE_KEEP_SANDBOX") is null)
        {
            try
            {
                Directory.Delete(Root, recursive: true);
            }
            catch (IOException)
            {
            }
            catch (UnauthorizedAccessException)
            {
            }
        }
    }
}
