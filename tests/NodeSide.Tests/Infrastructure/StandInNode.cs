using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Forge.Native;
using Forge.StandIn;

namespace Forge.NodeSide.Tests.Infrastructure;

/// <summary>The stand-in's command line for one test node (100 ms slots, fast kernel), reused by the fence tests.</summary>
internal sealed record StandInSpec(TestDir Dir, string Name = "n0")
{
    public string KeyDir => Dir.Sub($"keys-{Name}");
    public string KesPath => Path.Combine(KeyDir, KeyGen.KesFile);
    public string VrfPath => Path.Combine(KeyDir, KeyGen.VrfFile);
    public string OpCertPath => Path.Combine(KeyDir, KeyGen.OpCertFile);
    public string ForgeLog => Dir[$"forge-{Name}.jsonl"];
    public int MetricsPort { get; } = Binaries.FreePort();
    public Uri MetricsUrl => new($"http://127.0.0.1:{MetricsPort}/metrics");
    public bool NonProducing { get; init; } = true;
    public int KernelDelayMs { get; init; } = 300;
    public IReadOnlyList<string> Extra { get; init; } = [];

    public List<string> Command()
    {
        var c = new List<string>
        {
            Binaries.StandIn, "run",
            "--shelley-kes-key", KesPath, "--shelley-vrf-key", VrfPath, "--shelley-operational-certificate", OpCertPath,
            "--topology", Dir["topology.json"], "--database-path", Dir[$"db-{Name}"],
            "--standin-metrics-port", Str(MetricsPort), "--standin-node-id", $"test/{Name}", "--standin-pool", "pool1test",
            "--standin-forge-log", ForgeLog, "--standin-slot-ms", "100", "--standin-epoch-unix-ms", Str(Binaries.Epoch),
            "--standin-kernel-delay-ms", Str(KernelDelayMs),
        };
        if (NonProducing) c.Add("--start-as-non-producing-node");
        c.AddRange(Extra);
        return c;
    }

    public string CommandLine() => string.Join(' ', Command());

    /// <summary>Writes valid credentials into <paramref name="dir"/> (the key dir, or a fence's source dir).</summary>
    public static void WriteCredentials(string dir, ulong counter = 1, ulong kesPeriod = 0) => KeyGen.Write(dir, counter, kesPeriod);

    private static string Str(long v) => v.ToString(CultureInfo.InvariantCulture);
}

/// <summary>A stand-in started directly by the test (no fence), its stdout captured line by line.</summary>
internal sealed class StandInNode : IDisposable
{
    private readonly object _gate = new();
    private readonly List<string> _lines = [];
    private readonly List<string> _stderr = [];

    private StandInNode(StandInSpec spec, Process process)
    {
        Spec = spec;
        Process = process;
        LinePump.Start(process.StandardOutput, l => { lock (_gate) _lines.Add(l); });
        LinePump.Start(process.StandardError, l => { lock (_gate) _stderr.Add(l); });
    }

    public StandInSpec Spec { get; }
    public Process Process { get; }
    public int Pid => Process.Id;

    /// <param name="inheritIgnoredSighup">Start it with SIGHUP ignored (as under <c>nohup</c>): sh sets the disposition and
    /// execs the stand-in, which inherits it (same PID).</param>
    public static StandInNode Start(StandInSpec spec, bool writeCredentials = true, bool inheritIgnoredSighup = false)
    {
        if (writeCredentials) StandInSpec.WriteCredentials(spec.KeyDir);
        File.WriteAllText(spec.Dir["topology.json"], "{\"localRoots\":[],\"publicRoots\":[]}");
        var command = spec.Command();
        if (inheritIgnoredSighup) command = ["/bin/sh", "-c", "trap '' HUP; exec \"$@\"", "sh", .. command];
        var info = new ProcessStartInfo(command[0])
        {
            RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
        };
        foreach (var a in command.Skip(1)) info.ArgumentList.Add(a);
        return new StandInNode(spec, Process.Start(info)!);
    }

    public IReadOnlyList<string> Lines
    {
        get { lock (_gate) return [.. _lines]; }
    }

    public string Stderr
    {
        get { lock (_gate) return string.Join('\n', _stderr); }
    }

    /// <summary>Log lines whose data.kind is <paramref name="kind"/> (and, if given, data.enabled).</summary>
    public List<JsonElement> Logged(string kind, string? enabled = null) =>
        Lines.Where(l => l.StartsWith('{'))
             .Select(l => JsonDocument.Parse(l).RootElement.Clone())
             .Where(e => e.GetProperty("data").TryGetProperty("kind", out var k) && k.GetString() == kind)
             .Where(e => enabled is null || (e.GetProperty("data").TryGetProperty("enabled", out var v) && v.GetString() == enabled))
             .ToList();

    public void WaitLogged(string kind, int count = 1, string? enabled = null, int timeoutMs = 10_000) =>
        Poll.Until(() => Logged(kind, enabled).Count >= count, TimeSpan.FromMilliseconds(timeoutMs),
            $"{count} x {kind} {enabled} in the node log; stderr: {Stderr}");

    public void WaitKernelUp() => WaitLogged("TraceOpenEvent.OpenedDB");

    /// <summary>The SIGHUP handler is installed before this line is logged.</summary>
    public void WaitSignalHandlers() => WaitLogged("StandInMetrics");

    public void Sighup() => Assert.Equal(0, LinuxNative.Kill(Pid, LinuxNative.SigHup));

    public IReadOnlyDictionary<string, double> Metrics() => Scrape(Spec.MetricsUrl);

    public static IReadOnlyDictionary<string, double> Scrape(Uri url)
    {
        // synchronous all the way: sync-over-async waits on a thread pool that a busy test run starves
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        using var response = http.Send(new HttpRequestMessage(HttpMethod.Get, url));
        using var reader = new StreamReader(response.EnsureSuccessStatusCode().Content.ReadAsStream());
        return reader.ReadToEnd()
            .Split('\n')
            .Where(l => l.Length > 0 && l[0] != '#')
            .Select(l => l.Split(' '))
            .ToDictionary(p => p[0], p => double.Parse(p[1], CultureInfo.InvariantCulture));
    }

    public void Dispose()
    {
        if (!Process.HasExited)
        {
            Process.Kill();
            Process.WaitForExit(5000);
        }
        Process.Dispose();
    }
}
