using System.Diagnostics;
using System.Globalization;

namespace Forge.Sandbox.Tests;

/// <summary>
/// One sandbox shared by the process tests (<c>forge-coordinator sandbox --dir TMP</c>), started once through the
/// sandbox's own spawn thread with a parent-death signal, so a crashed test run leaves nothing behind. Its stdout goes to
/// DIR/../sandbox.out.
/// </summary>
public sealed class SandboxFixture : IDisposable
{
    /// <summary>How long the tests wait for sandbox.json (the sandbox writes it at ready, or after its ready timeout).</summary>
    public static readonly TimeSpan StartLimit = TimeSpan.FromSeconds(150);
    public const int ReadyTimeoutSeconds = 90;

    private readonly Spawner _spawner = new();

    public SandboxFixture()
    {
        Root = Directory.CreateTempSubdirectory("forge-sandbox-test-").FullName;
        Dir = Path.Combine(Root, "sbx");
        OutputPath = Path.Combine(Root, "sandbox.out");
        Exe = Binaries.Find("forge-coordinator", "Coordinator");
        StartedAt = DateTimeOffset.UtcNow;
        Clock = Stopwatch.StartNew();
        Process = _spawner.StartAsync(Exe, ["sandbox", "--dir", Dir, "--ready-timeout", ReadyTimeoutSeconds.ToString(CultureInfo.InvariantCulture)],
            OutputPath).GetAwaiter().GetResult();
        try
        {
            Poll.Until(() => File.Exists(ManifestPath) || Process.HasExited, StartLimit, "sandbox.json");
        }
        catch (TimeoutException)
        {
        }
        ManifestAfter = File.Exists(ManifestPath) ? Clock.Elapsed : null;
        if (ReadyLine() is not null) ReadyAfter = ManifestAfter;
    }

    public string Root { get; }
    public string Dir { get; }
    public string OutputPath { get; }
    public string Exe { get; }
    public DateTimeOffset StartedAt { get; }
    public Stopwatch Clock { get; }
    public Process Process { get; }
    public TimeSpan? ManifestAfter { get; }
    public TimeSpan? ReadyAfter { get; }
    public string ManifestPath => Path.Combine(Dir, "sandbox.json");

    public string Output => File.Exists(OutputPath) ? ReadShared(OutputPath) : "";

    public string? ReadyLine() => Output.Split('\n').FirstOrDefault(l => l.StartsWith("sandbox ready", StringComparison.Ordinal));

    public SandboxManifest Manifest() => SandboxManifest.FromJson(ReadShared(ManifestPath));

    public static string ReadShared(string path)
    {
        using var s = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        using var r = new StreamReader(s);
        return r.ReadToEnd();
    }

    /// <summary>The sandbox's "exited; restarting" lines of every process it supervises (to explain a failed wait).</summary>
    public string Restarts()
    {
        var lines = Directory.EnumerateFiles(Dir, "*.log", SearchOption.AllDirectories)
            .SelectMany(f => ReadShared(f).Split('\n').Where(l => l.Contains(" sandbox: ", StringComparison.Ordinal) && l.Contains(" exited", StringComparison.Ordinal)))
            .Order(StringComparer.Ordinal).ToList();
        return lines.Count == 0 ? "no process of the sandbox exited" : string.Join('\n', lines);
    }

    /// <summary>The coordinators' last log lines about the CRD projection and the spec store (to explain a failed wait
    /// on the regions' APIs), each prefixed with its coordinator.</summary>
    public string ProjectionLogLines(int max = 60)
    {
        string[] markers = ["copy of", "created again", "while no projection", "spec store", "Kubernetes API trouble", "missing permission"];
        var lines = Directory.EnumerateFiles(Dir, "coordinator.log", SearchOption.AllDirectories)
            .SelectMany(f => ReadShared(f).Split('\n').Where(l => markers.Any(m => l.Contains(m, StringComparison.Ordinal)))
                .Select(l => $"{Path.GetRelativePath(Dir, Path.GetDirectoryName(f)!)}: {l.Trim()}"))
            .TakeLast(max).ToList();
        return lines.Count == 0 ? "no projection lines in the coordinators' logs" : string.Join('\n', lines);
    }

    public IEnumerable<string> ForgeLogs() => Manifest().Regions.SelectMany(r => r.Nodes).Select(n => n.ForgeLog);

    public void Dispose()
    {
        if (!Process.HasExited)
        {
            Native.Kill(Process.Id, Native.SIGTERM);
            if (!Process.WaitForExit(60_000)) Native.Kill(Process.Id, Native.SIGKILL);
        }
        _spawner.Dispose();
        if (Environment.GetEnvironmentVariable("FORGE_KEEP_SANDBOX") is null)
        {
            try
            {
                Directory.Delete(Root, recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }
}

[CollectionDefinition(Name)]
public sealed class SandboxCollection : ICollectionFixture<SandboxFixture>
{
    public const string Name = "sandbox";
}

internal static class Poll
{
    /// <summary>Checks <paramref name="condition"/> every 200 ms until it holds or <paramref name="limit"/> passed.</summary>
    public static void Until(Func<bool> condition, TimeSpan limit, string what)
    {
        var sw = Stopwatch.StartNew();
        while (true)
        {
            if (condition()) return;
            if (sw.Elapsed > limit) throw new TimeoutException($"{what}: not within {limit.TotalSeconds:0.#} s");
            Thread.Sleep(200);
        }
    }
}

/// <summary>Runs a program (kubectl, a script) to completion with a deadline.</summary>
internal static class Run
{
    public static (int Code, string Out, string Err) Program(string exe, IEnumerable<string> args, IDictionary<string, string>? env = null,
        TimeSpan? limit = null)
    {
        var info = new ProcessStartInfo(exe) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args) info.ArgumentList.Add(a);
        foreach (var (k, v) in env ?? new Dictionary<string, string>()) info.Environment[k] = v;
        using var p = System.Diagnostics.Process.Start(info)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(limit ?? TimeSpan.FromSeconds(60)))
        {
            p.Kill(entireProcessTree: true);
            throw new TimeoutException($"{exe} {string.Join(' ', args)} did not finish: {stdout.Result}{stderr.Result}");
        }
        return (p.ExitCode, stdout.Result, stderr.Result);
    }
}
