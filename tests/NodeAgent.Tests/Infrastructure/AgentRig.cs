using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;
using System.Text;
using Forge.Transport;

namespace Forge.NodeAgent.Tests.Infrastructure;

/// <summary>
/// exec mode as the guide's forge-manager container runs it: forge-fence on top, the cardano-node stand-in and the real
/// forge-agent as its children, the agent talking mutual TLS to a <see cref="FakeCoordinator"/>. Sidecar mode (the
/// deploy/overlays/sidecar pods): forge-fence is the node container's entrypoint with the stand-in under it, and the
/// agent is a separate process tree (its own container) that reaches the fence through the control directory (the
/// shared volume) and sees the node's PID (shared process namespace). Short timings: 100 ms slots, fence enable/disable
/// bounds 500 ms, margin 200 ms.
/// </summary>
internal sealed class AgentRig : IAsyncDisposable
{
    public const int DisableBoundMs = 500;
    public const int MarginMs = 200;
    private readonly object _gate = new();
    private readonly List<string> _output = [];

    private AgentRig(TempDir dir, string name, FakeCoordinator? coordinator, Process fence, string controlDir, int metricsPort,
        string sourceDir, string keyDir, string forgeLog)
    {
        (Dir, Name, Coordinator, Fence, ControlDir, MetricsPort, SourceDir, KeyDir, ForgeLogPath) =
            (dir, name, coordinator, fence, controlDir, metricsPort, sourceDir, keyDir, forgeLog);
        Capture(fence);
    }

    private void Capture(Process p)
    {
        p.OutputDataReceived += (_, e) => { if (e.Data is { } l) lock (_gate) _output.Add(l); };
        p.ErrorDataReceived += (_, e) => { if (e.Data is { } l) lock (_gate) _output.Add("stderr: " + l); };
        p.BeginOutputReadLine();
        p.BeginErrorReadLine();
    }

    /// <summary>Sidecar mode only: the agent, started by the rig beside the fence (not under it).</summary>
    public Process? SidecarAgent { get; private set; }

    /// <summary>The agent's PID: the fence's child in exec mode, the rig's in sidecar mode.</summary>
    public int? AgentPid => SidecarAgent is { HasExited: false } a ? a.Id : SidecarAgent is null ? Pid("agent") : null;

    public TempDir Dir { get; }
    public string Name { get; }
    public FakeCoordinator? Coordinator { get; }
    public Process Fence { get; }
    public string ControlDir { get; }
    public int MetricsPort { get; }
    public string SourceDir { get; }
    public string KeyDir { get; }
    public string ForgeLogPath { get; }

    /// <summary>Everything the fence printed: its own log, the node's and the agent's (relayed) lines.</summary>
    public IReadOnlyList<string> Output
    {
        get { lock (_gate) return [.. _output]; }
    }

    public string OutputText => string.Join('\n', Output.TakeLast(80));

    /// <summary>Starts the rig; <paramref name="prepareSource"/> may damage the source Secret first.</summary>
    public static AgentRig Start(TempDir dir, FakeCoordinator? coordinator, DevPkiPaths? pki, string name = "pod-0",
        Action<string>? prepareSource = null, IReadOnlyDictionary<string, string>? env = null, bool sidecar = false)
    {
        var source = Directory.CreateDirectory(dir[$"source-{name}"]).FullName;
        var keys = Directory.CreateDirectory(dir[$"keys-{name}"]).FullName;
        Run(Binaries.StandIn, "standin-keygen", "--out", source, "--counter", "3", "--kes-period", "0");
        prepareSource?.Invoke(source);
        File.WriteAllText(dir["topology.json"], "{}");
        var nodeMetrics = Binaries.FreePort();
        var forgeLog = dir[$"forge-{name}.jsonl"];
        var node = string.Join(' ',
            Binaries.StandIn, "run",
            "--shelley-kes-key", Path.Combine(keys, "kes.skey"), "--shelley-vrf-key", Path.Combine(keys, "vrf.skey"),
            "--shelley-operational-certificate", Path.Combine(keys, "node.cert"), "--start-as-non-producing-node",
            "--topology", dir["topology.json"], "--database-path", dir[$"db-{name}"],
            "--standin-metrics-port", I(nodeMetrics), "--standin-node-id", $"c1/{name}", "--standin-pool", "pool1test",
            "--standin-forge-log", forgeLog, "--standin-slot-ms", "100", "--standin-epoch-unix-ms", I(Binaries.Epoch),
            "--standin-kernel-delay-ms", "200");
        var controlDir = dir[$"control-{name}"];
        var metricsPort = Binaries.FreePort();

        var info = new ProcessStartInfo(Binaries.Fence) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in new[]
                 {
                     sidecar ? "sidecar" : "exec", "--node-cmd", node, "--source-dir", source, "--control-dir", controlDir,
                     "--node-metrics-url", $"http://127.0.0.1:{nodeMetrics}/metrics",
                     "--enable-bound-ms", "500", "--disable-bound-ms", I(DisableBoundMs), "--restart-backoff-ms", "200",
                     "--enable-retry-ms", "200",
                 })
            info.ArgumentList.Add(a);
        if (!sidecar)
        {
            info.ArgumentList.Add("--agent-cmd");
            info.ArgumentList.Add(Binaries.Agent);
        }
        // exec mode: the agent inherits the fence's environment; sidecar mode: its own container's (the same values)
        var agentInfo = new ProcessStartInfo(Binaries.Agent) { RedirectStandardOutput = true, RedirectStandardError = true };
        var e = sidecar ? agentInfo.Environment : info.Environment;
        e["POD_NAME"] = name;
        e["CLUSTER_NAME"] = "c1";
        e["CLUSTER_REGION"] = "r1";
        e["POOL_ID"] = "pool1test";
        e["SOURCE_DIR"] = source;
        e["TARGET_DIR"] = keys;
        e["CARDANO_NODE_PROCESS_NAME"] = "cardano-node-standin";
        e["NODE_METRICS_URL"] = $"http://127.0.0.1:{nodeMetrics}/metrics";
        e["METRICS_PORT"] = I(metricsPort);
        e["FENCE_DISABLE_BOUND_MS"] = I(DisableBoundMs);
        e["GRANT_MARGIN_MS"] = I(MarginMs);
        e["STATUS_INTERVAL_MS"] = "200";
        e["FENCE_POLL_MS"] = "100";
        e["FENCE_TIMEOUT_MS"] = "1000";
        e["HANDOVER_TIMEOUT_MS"] = "3000";
        e["REQUEST_RETRY_MS"] = "300";
        if (coordinator is not null && pki is not null)
        {
            e["COORDINATORS"] = $"127.0.0.1:{coordinator.Port}";
            e["TLS_CA_CERT"] = pki.CaCert;
            e["TLS_CERT"] = pki.ClientCert;
            e["TLS_KEY"] = pki.ClientKey;
        }
        foreach (var (k, v) in env ?? new Dictionary<string, string>()) e[k] = v;
        var rig = new AgentRig(dir, name, coordinator, Process.Start(info)!, controlDir, metricsPort, source, keys, forgeLog);
        if (sidecar)
        {
            e["FENCE_CONTROL"] = controlDir; // the shared volume: the agent finds fence.sock in it
            rig.StartSidecarAgent(agentInfo);
        }
        return rig;
    }

    /// <summary>Sidecar mode: starts the agent (again, after it died: the kubelet restarts a container).</summary>
    public void StartSidecarAgent(ProcessStartInfo? info = null)
    {
        info ??= SidecarAgent?.StartInfo ?? throw new InvalidOperationException("not a sidecar rig");
        SidecarAgent?.Dispose();
        SidecarAgent = Process.Start(info)!;
        Capture(SidecarAgent);
    }

    /// <summary>The fence's STATUS fields; empty while its socket is not up (or it does not answer).</summary>
    public IReadOnlyDictionary<string, string> FenceStatus()
    {
        try
        {
            return QueryStatus();
        }
        catch (Exception e) when (e is SocketException or IOException)
        {
            return new Dictionary<string, string>();
        }
    }

    private Dictionary<string, string> QueryStatus()
    {
        using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        socket.ReceiveTimeout = 2000;
        socket.Connect(new UnixDomainSocketEndPoint(Path.Combine(ControlDir, "fence.sock")));
        using var stream = new NetworkStream(socket);
        stream.Write("STATUS\n"u8);
        using var reader = new StreamReader(stream, Encoding.UTF8);
        var line = reader.ReadLine() ?? "";
        return line.Split(' ').Skip(1).Select(p => p.Split('=', 2)).Where(kv => kv.Length == 2)
            .ToDictionary(kv => kv[0], kv => kv[1]);
    }

    public int? Pid(string field)
    {
        return int.TryParse(FenceStatus().GetValueOrDefault(field), NumberStyles.None, CultureInfo.InvariantCulture, out var p)
            ? p : null;
    }

    public IReadOnlyList<ForgeLogLine> ForgeLogLines => ForgeLog.Read(ForgeLogPath);

    public async Task<string> HttpGetAsync(string path)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        return await http.GetStringAsync($"http://127.0.0.1:{MetricsPort}{path}");
    }

    public async Task<(int Status, string Body)> HttpAsync(string path)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        using var r = await http.GetAsync($"http://127.0.0.1:{MetricsPort}{path}");
        return ((int)r.StatusCode, await r.Content.ReadAsStringAsync());
    }

    /// <summary>Scrapes /metrics until it contains <paramref name="expected"/> (values arrive asynchronously, e.g.
    /// ClusterInfo after registration; the HTTP server comes up a moment after the process).</summary>
    public async Task<string> WaitMetricsAsync(string expected, TimeSpan timeout)
    {
        var deadline = Environment.TickCount64 + (long)timeout.TotalMilliseconds;
        var last = "";
        while (Environment.TickCount64 < deadline)
        {
            try
            {
                last = await HttpGetAsync("/metrics");
                if (last.Contains(expected, StringComparison.Ordinal)) return last;
            }
            catch (HttpRequestException)
            {
                // not listening yet
            }
            await Task.Delay(50);
        }
        throw new TimeoutException($"/metrics never contained '{expected}'; last scrape:\n{last}\n--- output ---\n{OutputText}");
    }

    public async Task WaitAsync(Func<bool> condition, TimeSpan timeout, string what)
    {
        try
        {
            await Poll.UntilAsync(condition, timeout, what);
        }
        catch (TimeoutException e)
        {
            throw new TimeoutException($"{e.Message}\n--- fence/agent/node output ---\n{OutputText}");
        }
    }

    public static string I(long v) => v.ToString(CultureInfo.InvariantCulture);

    private static void Run(string exe, params string[] args)
    {
        var info = new ProcessStartInfo(exe) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args) info.ArgumentList.Add(a);
        using var p = Process.Start(info)!;
        p.WaitForExit(20_000);
        if (p.ExitCode != 0) throw new InvalidOperationException($"{exe} {string.Join(' ', args)}: {p.StandardError.ReadToEnd()}");
    }

    public async ValueTask DisposeAsync()
    {
        var nodePid = Pid("pid");
        var agentPid = AgentPid;
        if (!Fence.HasExited)
        {
            Fence.Kill(); // SIGKILL: node and agent follow through their parent-death signal
            await Fence.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(5));
        }
        foreach (var pid in new[] { nodePid, agentPid })
        {
            if (pid is { } p && File.Exists($"/proc/{p}/stat")) Forge.Native.LinuxNative.Kill(p, 9);
        }
        Fence.Dispose();
        SidecarAgent?.Dispose();
    }
}
