using System.Diagnostics;
using System.Globalization;
using Forge.Native;

namespace Forge.NodeSide.Tests.Infrastructure;

/// <summary>A forge-fence process with a stand-in under it (sidecar mode, or exec mode with a given agent command).</summary>
internal sealed class FenceNode : IDisposable
{
    public const int EnableBoundMs = 1500;
    public const int DisableBoundMs = 1000;

    private readonly object _gate = new();
    private readonly List<string> _stderr = [];

    private FenceNode(StandInSpec node, string controlDir, string sourceDir, Process process)
    {
        Node = node;
        ControlDir = controlDir;
        SourceDir = sourceDir;
        Process = process;
        LinePump.Start(process.StandardOutput, _ => { });
        LinePump.Start(process.StandardError, l => { lock (_gate) _stderr.Add(l); });
        Control = new ControlClient(Path.Combine(controlDir, "fence.sock"));
    }

    public StandInSpec Node { get; }
    public string ControlDir { get; }
    public string SourceDir { get; }
    public Process Process { get; }
    public ControlClient Control { get; }

    public string Stderr
    {
        get { lock (_gate) return string.Join('\n', _stderr); }
    }

    public static long Now() => LinuxNative.BoottimeNanoseconds();

    public static long Ms(long ms) => ms * 1_000_000;

    public static FenceNode Start(TestDir dir, string? agentCommand = null, string name = "n0", IReadOnlyList<string>? nodeExtra = null,
        params string[] extra)
    {
        var node = new StandInSpec(dir, name) { Extra = nodeExtra ?? [] };
        var source = dir.Sub($"source-{name}");
        StandInSpec.WriteCredentials(source);
        _ = node.KeyDir; // the node's key directory exists, empty: only the fence puts files there
        File.WriteAllText(dir["topology.json"], "{}");
        var controlDir = dir[$"control-{name}"];

        var info = new ProcessStartInfo(Binaries.Fence)
        {
            RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
        };
        var args = new List<string>
        {
            agentCommand is null ? "sidecar" : "exec",
            "--node-cmd", node.CommandLine(), "--source-dir", source, "--control-dir", controlDir,
            "--node-metrics-url", node.MetricsUrl.ToString(),
            "--enable-bound-ms", Str(EnableBoundMs), "--disable-bound-ms", Str(DisableBoundMs),
            "--restart-backoff-ms", "200", "--enable-retry-ms", "200",
        };
        if (agentCommand is not null) args.AddRange(["--agent-cmd", agentCommand]);
        args.AddRange(extra);
        foreach (var a in args) info.ArgumentList.Add(a);
        var fence = new FenceNode(node, controlDir, source, Process.Start(info)!);
        Poll.Until(() => File.Exists(Path.Combine(controlDir, "fence.sock")), TimeSpan.FromSeconds(10),
            "the fence's control socket");
        return fence;
    }

    public IReadOnlyDictionary<string, string> WaitStatus(Func<IReadOnlyDictionary<string, string>, bool> condition,
        int timeoutMs, string what)
    {
        IReadOnlyDictionary<string, string>? last = null;
        try
        {
            Poll.Until(() => condition(last = Control.Status()), TimeSpan.FromMilliseconds(timeoutMs), what);
        }
        catch (TimeoutException e)
        {
            throw new TimeoutException($"{e.Message}; last status: {string.Join(' ', last ?? new Dictionary<string, string>())}\n{Stderr}");
        }
        catch (Exception e) when (e is IOException or System.Net.Sockets.SocketException)
        {
            throw new IOException($"control channel failed ({e.Message}); fence exited: {Process.HasExited}\n{Stderr}", e);
        }
        return last!;
    }

    public IReadOnlyDictionary<string, string> WaitUp() =>
        WaitStatus(s => s["phase"] == "up" && s["state"] == "off", 15_000, "node up and off");

    public IReadOnlyDictionary<string, string> WaitState(string state, int timeoutMs = 10_000) =>
        WaitStatus(s => s["state"] == state, timeoutMs, $"state={state}");

    public int NodePid => int.Parse(Control.Status()["pid"], CultureInfo.InvariantCulture);

    public bool KeysInstalled() => Directory.EnumerateFiles(Node.KeyDir).Any();

    public static bool Alive(int pid) => ProcStat.Alive(pid);

    public void Dispose()
    {
        int? nodePid = null;
        try
        {
            nodePid = NodePid;
        }
        catch (Exception e) when (e is IOException or System.Net.Sockets.SocketException or FormatException or KeyNotFoundException)
        {
        }
        if (!Process.HasExited)
        {
            Process.Kill(); // SIGKILL: the node follows through its parent-death signal
            Process.WaitForExit(5000);
        }
        if (nodePid is { } pid && Alive(pid)) LinuxNative.Kill(pid, LinuxNative.SigKill);
        Process.Dispose();
    }

    private static string Str(long v) => v.ToString(CultureInfo.InvariantCulture);
}
