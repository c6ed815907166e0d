using System.Collections.Concurrent;
using System.Collections.Immutable;
using System.Diagnostics;
using System.Globalization;
using Forge.Grants;
using Forge.KubeApiEmulator;

namespace Forge.Sandbox;

/// <summary>
/// Brings up the sandbox world and keeps it running: per region an in-process Kubernetes API emulator, coordinator
/// processes (Akka remoting over TLS from a throwaway CA), and per node a forge-fence in exec mode with its
/// cardano-node stand-in and forge-agent. Children run under <c>setpriv --pdeathsig KILL</c>; a fence that dies is
/// restarted whole after <see cref="FenceRestartDelay"/>, as a kubelet restarts a container.
/// </summary>
internal sealed class SandboxHost : IAsyncDisposable
{
    public static readonly TimeSpan FenceRestartDelay = TimeSpan.FromSeconds(3);
    public static readonly TimeSpan CoordinatorRestartDelay = TimeSpan.FromSeconds(5);

    private readonly SandboxOptions _options;
    private readonly TextWriter _out;
    private readonly Stopwatch _clock;
    private readonly Spawner _spawner = new();
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(2) };
    private readonly List<KubeApiEmulatorServer> _emulators = [];
    private readonly Dictionary<CoordinatorPlan, SupervisedProcess> _coordinators = [];
    private readonly Dictionary<NodePlan, SupervisedProcess> _fences = [];
    private readonly Dictionary<NodePlan, SupervisedProcess> _agents = []; // sidecar mode only
    private bool Sidecar => _options.Mode == "sidecar";
    private readonly ConcurrentDictionary<NodePlan, (int Agent, int Node)> _children = new();
    private readonly object _manifestGate = new();
    private string? _lastManifest;
    private Binaries? _bin;
    private readonly RegionNetwork? _network;
    private string? _faketime; // libfaketime, with --faketime

    public SandboxHost(SandboxOptions options, TextWriter output, Stopwatch? startedAt = null)
    {
        _options = options;
        _out = output;
        _clock = startedAt ?? Stopwatch.StartNew();
        _network = options.RegionNetns ? RegionNetwork.Claim(options.Regions) : null;
        Layout = Layout.Plan(options, options.CoordinatorsPerRegion, _network);
    }

    public Layout Layout { get; }
    public bool Ready { get; private set; }
    public TimeSpan? ReadyAfter { get; private set; }
    public string? FirstForger { get; private set; }

    private void Say(string line)
    {
        lock (_out) _out.WriteLine(line);
    }

    // ---------------------------------------------------------------- start

    public async Task StartAsync(CancellationToken ct)
    {
        _bin = Binaries.Locate();
        if (_options.Faketime) _faketime = Faketime.Library();
        PrepareDirectory();
        Say($"sandbox: {Layout.Regions.Count} regions, {_options.NodesPerRegion} nodes and {_options.CoordinatorsPerRegion} coordinator(s) per region, {_options.Mode} mode, slot {_options.SlotMs} ms, in {Layout.Dir}");
        if (_network is not null)
        {
            _network.Create();
            Say($"sandbox: region network namespaces {string.Join(", ", Layout.Regions.Select(r => $"{r.Netns} ({r.Host})"))}, " +
                $"bridge {_network.Bridge} {_network.BridgeAddress} (the API emulators listen there)");
        }

        using var pki = new Pki(Layout.PkiDir);
        await WritePoolCredentialsAsync(ct);

        // Kubernetes API emulators: the CRD and every cluster of the pool in each region
        var crdPath = Path.Combine(Layout.Dir, "crd.yaml");
        await File.WriteAllTextAsync(crdPath, Resources.Crd(), ct);
        var clusters = Resources.ForgeClusters(Layout);
        foreach (var r in Layout.Regions)
        {
            var emulator = new KubeApiEmulatorServer(new EmulatorOptions { Port = 0, Host = _network?.BridgeAddress ?? "127.0.0.1", CrdPaths = [crdPath], Namespaces = [Layout.Namespace] });
            _emulators.Add(emulator);
            await emulator.StartAsync(ct);
            emulator.ApplyManifest(clusters, Layout.Namespace);
            foreach (var c in r.Coordinators)
            {
                Directory.CreateDirectory(c.Dir);
                emulator.WriteKubeconfig(c.KubeconfigPath, Layout.Namespace);
            }
        }
        await File.WriteAllTextAsync(Layout.Kubeconfig,
            Kubeconfig.Render(Layout.Regions.Select((r, i) => (r.Cluster, _emulators[i].BaseUrl.ToString().TrimEnd('/'))).ToList()), ct);
        File.SetUnixFileMode(Layout.Kubeconfig, UnixFileMode.UserRead | UnixFileMode.UserWrite);

        // coordinators
        foreach (var r in Layout.Regions)
        {
            foreach (var c in r.Coordinators)
            {
                Directory.CreateDirectory(c.GrantsDir);
                // every start is a new world (PrepareDirectory), so no replica here ever voted: without this, each
                // would recover from the others and hold the first term back for the amnesia wait (~35 s)
                FileReplicaStore.InitializeNew(c.GrantsDir);
                var conf = Resources.CoordinatorConf(Layout, c, pki.Remoting($"{c.Cluster}-{c.Ordinal}", c.Host), pki.Gateway($"{c.Cluster}-{c.Ordinal}", c.Host), pki.CaPath);
                await File.WriteAllTextAsync(c.ConfigPath, conf, ct);
                var env = ChildEnvironment(new()
                {
                    ["KUBECONFIG"] = c.KubeconfigPath,
                    ["POD_NAME"] = $"forge-coordinator-{c.Ordinal}",
                    ["POD_NAMESPACE"] = Layout.Namespace,
                    ["CLUSTER_NAME"] = c.Cluster,
                });
                if (_faketime is not null)
                    foreach (var (k, v) in Faketime.Environment(_faketime, c.FaketimeFile)) env[k] = v;
                var p = new SupervisedProcess(_spawner, c.Name, _bin.Coordinator, ["run", "--config", c.ConfigPath], c.LogPath, env,
                    CoordinatorRestartDelay, netns: r.Netns);
                p.Started += OnStarted;
                _coordinators[c] = p;
                await p.StartAsync();
            }
        }

        // nodes: fence (exec mode) → stand-in + agent
        foreach (var r in Layout.Regions)
        {
            for (var i = 0; i < r.Nodes.Count; i++)
            {
                var n = r.Nodes[i];
                var agentCert = pki.Agent(n.Id.Replace('/', '-'));
                var env = AgentEnvironment(r, n, agentCert, pki.CaPath);
                if (Sidecar)
                {
                    // two containers: cardano-node (the fence, entrypoint) and forge-manager (the agent), each restarted on its own
                    env["FENCE_CONTROL"] = n.ControlDir;
                    var fence = new SupervisedProcess(_spawner, n.Id + " cardano-node", _bin.Fence, FenceArgs(n), n.NodeContainerLog,
                        ChildEnvironment(new()), FenceRestartDelay, netns: r.Netns);
                    fence.Started += OnStarted;
                    _fences[n] = fence;
                    await fence.StartAsync();
                    if (_faketime is not null)
                        foreach (var (k, v) in Faketime.Environment(_faketime, n.AgentFaketimeFile)) env[k] = v;
                    var agent = new SupervisedProcess(_spawner, n.Id + " forge-manager", _bin.Agent, [], n.ContainerLog, env, FenceRestartDelay, netns: r.Netns);
                    agent.Started += OnStarted;
                    _agents[n] = agent;
                    await agent.StartAsync();
                    continue;
                }
                var p = new SupervisedProcess(_spawner, n.Id, _bin.Fence, FenceArgs(n), n.ContainerLog, env, FenceRestartDelay, netns: r.Netns);
                p.Started += OnStarted;
                _fences[n] = p;
                await p.StartAsync();
            }
            RegisterPods(_emulators[Layout.Regions.ToList().IndexOf(r)], r);
        }
        Say($"sandbox: every process started after {_clock.Elapsed.TotalSeconds:0.0} s; waiting for a node to be verified forging");
    }

    private void OnStarted(SupervisedProcess p)
    {
        if (p.Restarts > 0) Say($"sandbox: {p.Name} restarted (pid {p.Pid})");
        var node = _fences.FirstOrDefault(kv => ReferenceEquals(kv.Value, p)).Key;
        if (node is not null && !Sidecar) _children[node] = (0, 0); // the new fence's children are not known yet
    }

    /// <summary>DIR is the sandbox's own (marker file) or new/empty: anything else is refused, never deleted.</summary>
    private void PrepareDirectory()
    {
        var dir = Layout.Dir;
        var marker = Path.Combine(dir, ".forge-sandbox");
        if (Directory.Exists(dir) && Directory.EnumerateFileSystemEntries(dir).Any())
        {
            if (!File.Exists(marker))
                throw new SandboxStartException($"{dir} exists, is not empty and was not made by the sandbox: choose another --dir");
            var pidFile = Path.Combine(dir, "sandbox.pid");
            if (File.Exists(pidFile) && int.TryParse(File.ReadAllText(pidFile).Trim(), CultureInfo.InvariantCulture, out var other)
                && other != Environment.ProcessId && ProcFs.Alive(other) && ProcFs.CommandLine(other).Contains("sandbox", StringComparison.Ordinal))
                throw new SandboxStartException($"another sandbox (pid {other}) is running in {dir}");
            // a new world every start: logs, keys and certificates of the last run go
            foreach (var entry in Directory.EnumerateFileSystemEntries(dir))
            {
                if (Directory.Exists(entry)) Directory.Delete(entry, recursive: true);
                else File.Delete(entry);
            }
        }
        Directory.CreateDirectory(dir);
        File.WriteAllText(marker, "made by `forge-coordinator sandbox`; deleted and rebuilt at every start\n");
        File.WriteAllText(Path.Combine(dir, "sandbox.pid"), Environment.ProcessId.ToString(CultureInfo.InvariantCulture));
    }

    /// <summary>The pool's throwaway KES/VRF/opcert, generated once and copied (0600) into each node's mounted secret.</summary>
    private async Task WritePoolCredentialsAsync(CancellationToken ct)
    {
        var pool = Layout.PoolKeysDir;
        Directory.CreateDirectory(Path.GetDirectoryName(pool)!, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var info = new ProcessStartInfo(_bin!.StandIn) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in new[] { "standin-keygen", "--out", pool }) info.ArgumentList.Add(a);
        using var keygen = Process.Start(info) ?? throw new SandboxStartException("cannot start the stand-in's keygen");
        var stderr = keygen.StandardError.ReadToEndAsync(ct);
        await keygen.WaitForExitAsync(ct);
        if (keygen.ExitCode != 0) throw new SandboxStartException($"standin-keygen failed: {await stderr}");
        foreach (var n in Layout.Regions.SelectMany(r => r.Nodes))
        {
            Directory.CreateDirectory(n.SourceDir, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            Directory.CreateDirectory(n.KeyDir, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            Directory.CreateDirectory(n.DbDir);
            await File.WriteAllTextAsync(n.Topology, "{\"localRoots\": [], \"publicRoots\": []}\n", ct);
            foreach (var f in new[] { "kes.skey", "vrf.skey", "node.cert" })
            {
                var target = Path.Combine(n.SourceDir, f);
                File.Copy(Path.Combine(pool, f), target, overwrite: true);
                File.SetUnixFileMode(target, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            }
        }
        Directory.Delete(pool, recursive: true); // only the per-node "mounted secrets" remain
    }

    private List<string> FenceArgs(NodePlan n)
    {
        static string Word(string s) => s.Any(c => char.IsWhiteSpace(c) || c is '\'' or '"' or '\\') ? "'" + s.Replace("'", "'\\''", StringComparison.Ordinal) + "'" : s;
        var node = new[]
        {
            _bin!.StandIn, "run",
            "--shelley-kes-key", Path.Combine(n.KeyDir, "kes.skey"),
            "--shelley-vrf-key", Path.Combine(n.KeyDir, "vrf.skey"),
            "--shelley-operational-certificate", Path.Combine(n.KeyDir, "node.cert"),
            "--start-as-non-producing-node",
            "--port", n.NodePort.ToString(CultureInfo.InvariantCulture),
            "--topology", n.Topology,
            "--database-path", n.DbDir,
            "--socket-path", Path.Combine(n.Dir, "node.socket"),
            "--standin-metrics-port", n.NodeMetricsPort.ToString(CultureInfo.InvariantCulture),
            "--standin-node-id", n.Id,
            "--standin-pool", Layout.PoolId,
            "--standin-forge-log", n.ForgeLog,
            "--standin-log", n.NodeLog,
            "--standin-slot-ms", Layout.SlotMs.ToString(CultureInfo.InvariantCulture),
            "--standin-epoch-unix-ms", Layout.EpochUnixMs.ToString(CultureInfo.InvariantCulture),
        };
        List<string> args = [Sidecar ? "sidecar" : "exec", "--node-cmd", string.Join(' ', node.Select(Word))];
        if (!Sidecar)
        {
            // --faketime: only the agent (through env), never the fence or the stand-in, which inherit the fence's environment
            var agent = _faketime is null
                ? Word(_bin.Agent)
                : string.Join(' ', new[] { "env" }.Concat(Faketime.Environment(_faketime, n.AgentFaketimeFile).Select(kv => Word($"{kv.Key}={kv.Value}")))
                    .Append(Word(_bin.Agent)));
            args.AddRange(["--agent-cmd", agent]);
        }
        args.AddRange(["--source-dir", n.SourceDir, "--control-dir", n.ControlDir, "--node-metrics-url", n.NodeMetricsUrl]);
        return args;
    }

    private Dictionary<string, string> AgentEnvironment(RegionPlan r, NodePlan n, (string Cert, string Key) cert, string ca)
    {
        // own region's coordinators first, then the others in priority order
        var coordinators = r.Coordinators.Concat(Layout.Regions.Where(o => o != r).SelectMany(o => o.Coordinators)).Select(c => c.AgentEndpoint);
        return ChildEnvironment(new()
        {
            ["POD_NAME"] = n.Pod,
            ["CLUSTER_NAME"] = n.Cluster,
            ["CLUSTER_REGION"] = n.Region,
            ["POOL_ID"] = Layout.PoolId,
            ["NAMESPACE"] = Layout.Namespace,
            ["ENABLE_CLUSTER_MANAGEMENT"] = "true",
            ["SOURCE_DIR"] = n.SourceDir,
            ["TARGET_DIR"] = n.KeyDir,
            ["CARDANO_NODE_PROCESS_NAME"] = Path.GetFileName(_bin!.StandIn),
            ["NODE_METRICS_URL"] = n.NodeMetricsUrl,
            ["NODE_SOCKET"] = Path.Combine(n.Dir, "node.socket"),
            ["METRICS_PORT"] = n.AgentMetricsPort.ToString(CultureInfo.InvariantCulture),
            ["COORDINATORS"] = string.Join(',', coordinators),
            ["TLS_CA_CERT"] = ca,
            ["TLS_CERT"] = cert.Cert,
            ["TLS_KEY"] = cert.Key,
            ["SLOT_ZERO_UNIX_S"] = (Layout.EpochUnixMs / 1000).ToString(CultureInfo.InvariantCulture),
            ["SLOT_LENGTH_MS"] = Layout.SlotMs.ToString(CultureInfo.InvariantCulture),
        });
    }

    /// <summary>Small-footprint .NET settings for every child (2 cores run some 20 processes).</summary>
    private static Dictionary<string, string> ChildEnvironment(Dictionary<string, string> env)
    {
        env["DOTNET_gcServer"] = "0";
        env["DOTNET_GCgen0size"] = "0x1000000";
        env["DOTNET_TieredPGO"] = "0";
        env["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        return env;
    }

    private void RegisterPods(KubeApiEmulatorServer emulator, RegionPlan r)
    {
        foreach (var n in r.Nodes) RegisterPod(emulator, n);
    }

    private void RegisterPod(KubeApiEmulatorServer emulator, NodePlan n) =>
        emulator.RegisterPod(new PodRegistration(
            n.Pod,
            ImmutableDictionary<string, string>.Empty.Add("app", "cardano-node").Add("cardano.io/cluster", n.Cluster),
            Sidecar
                ? [new PodContainer("cardano-node", n.NodeContainerLog, "cardano-forge/cardano-node:sandbox"),
                   new PodContainer(Layout.AgentContainer, n.ContainerLog, "cardano-forge/agent:sandbox")]
                : [new PodContainer(Layout.AgentContainer, n.ContainerLog, "cardano-forge/agent:sandbox")],
            Layout.StatefulSet,
            Layout.Namespace,
            Kubelet: deletion => DeletePodAsync(emulator, n, deletion)));

    // ---------------------------------------------------------------- kubelet

    /// <summary>How long SIGKILLed processes may take to be gone before the deletion is reported unconfirmed.</summary>
    private static readonly TimeSpan KillLimit = TimeSpan.FromSeconds(10);

    /// <summary>
    /// The pod's kubelet (the API's DELETE): SIGTERM to the fence, agent and node (the fence's children, found in /proc:
    /// a frozen fence cannot be asked), SIGKILL after the grace, and returns only when all are dead - the emulator then
    /// removes the pod object. The pod then starts again as a new pod (non-forging, as every start) and is registered
    /// again (new uid). A kill that cannot be confirmed throws: the pod stays Terminating and nothing is restarted.
    /// </summary>
    private async Task DeletePodAsync(KubeApiEmulatorServer emulator, NodePlan n, PodDeletion deletion)
    {
        // wall time, to line up with the coordinator's "fencing pod" log (a fence DELETE once took effect 5.5 s late)
        var begun = $"kubelet began {DateTime.UtcNow:HH:mm:ss.fff}Z";
        var containers = Sidecar ? new[] { _fences[n], _agents[n] } : [_fences[n]];
        foreach (var c in containers) c.HoldRestarts();
        var outcome = await PodKill.TerminateAsync(() => PodKill.ProcessesOf(containers.Select(c => c.Pid)), deletion.Grace, KillLimit);
        var pids = string.Join(", ", outcome.Pids);
        if (!outcome.AllDead)
        {
            Say($"sandbox: {n.Id} deletion through the API NOT CONFIRMED: pids {string.Join(", ", outcome.Surviving)} still alive " +
                $"{KillLimit.TotalSeconds:0} s after SIGKILL (of {pids}; {begun}); the pod stays Terminating and is not started again");
            throw new InvalidOperationException($"pids {string.Join(", ", outcome.Surviving)} survived SIGKILL");
        }
        var sigkilled = outcome.Sigkilled.Count > 0 ? $" (SIGKILL after the {deletion.Grace.TotalSeconds:0.#} s grace: {string.Join(", ", outcome.Sigkilled)})" : "";
        Say($"sandbox: {n.Id} deleted through the API: killed pids {pids}{sigkilled} in {outcome.Took.TotalMilliseconds:0} ms ({begun}); starting it again");
        _ = StartPodAgainAsync(emulator, n, containers);
    }

    /// <summary>The StatefulSet's part: the pod's containers start anew and the pod is registered again (the emulator
    /// applies that once the old object is gone, so it gets a new uid).</summary>
    private async Task StartPodAgainAsync(KubeApiEmulatorServer emulator, NodePlan n, IReadOnlyList<SupervisedProcess> containers)
    {
        try
        {
            foreach (var c in containers) await c.StartFreshAsync();
            Say($"sandbox: {n.Id} started again as a new pod (fence pid {_fences[n].Pid})");
        }
        catch (Exception e)
        {
            Say($"sandbox: {n.Id} could not be started again after its deletion: {e.Message}; its supervisor retries");
        }
        finally
        {
            RegisterPod(emulator, n); // the pod object exists again either way, as a recreated pod whose container crashes does
        }
    }

    // ---------------------------------------------------------------- run

    /// <summary>Watches until <paramref name="ct"/>: fence children (PIDs for sandbox.json), verified forging (ready).</summary>
    public async Task RunAsync(TimeSpan readyTimeout, CancellationToken ct)
    {
        var readyDeadline = _clock.Elapsed + readyTimeout;
        var warned = false;
        var clusterFormed = false;
        while (!ct.IsCancellationRequested)
        {
            await RefreshChildrenAsync(ct);
            if (!clusterFormed && await CoordinatorsUpAsync(ct) is var up && up == _coordinators.Count)
            {
                clusterFormed = true;
                Say($"sandbox: coordinator cluster formed over TLS: {up} members Up after {_clock.Elapsed.TotalSeconds:0.0} s");
            }
            if (!Ready)
            {
                // Ready only once every region's coordinator is in the cluster too: a region whose coordinator is still
                // joining has a CRD projection that has not started, and its first list would store that region's old
                // copies over an edit an operator made meanwhile (the guide's first command may be exactly such an edit).
                var forger = clusterFormed ? await FindForgerAsync(ct) : null;
                if (forger is not null)
                {
                    Ready = true;
                    ReadyAfter = _clock.Elapsed;
                    FirstForger = forger.Id;
                    await WaitForCompleteManifestAsync(TimeSpan.FromSeconds(15), ct);
                    WriteManifest(force: true);
                    Say($"sandbox ready: {forger.Id} verified forging {ReadyAfter.Value.TotalSeconds:0.0} s after the command");
                    Say(Guide.Text(Layout, this));
                }
                else if (!warned && _clock.Elapsed > readyDeadline)
                {
                    warned = true;
                    await WaitForCompleteManifestAsync(TimeSpan.FromSeconds(5), ct);
                    WriteManifest(force: true);
                    Say($"sandbox: NOT READY: {(clusterFormed ? "no node verified forging" : "the coordinator cluster has not formed")} {readyTimeout.TotalSeconds:0} s after start (see the coordinator and forge-manager logs under {Layout.Dir}); sandbox.json written anyway, still waiting");
                    if (LastAlarm(Layout.Regions[0].Nodes[0].ContainerLog) is { } alarm) Say($"sandbox: {Layout.Regions[0].Nodes[0].Id}'s last alarm: {alarm}");
                    Say(Guide.Text(Layout, this));
                }
            }
            if (Ready || warned) WriteManifest(force: false);
            try
            {
                await Task.Delay(500, ct);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }
    }

    /// <summary>Members with status Up, as the first coordinator sees them (0 when it does not answer).</summary>
    private async Task<int> CoordinatorsUpAsync(CancellationToken ct)
    {
        var first = Layout.Regions[0].Coordinators[0];
        try
        {
            var json = await _http.GetStringAsync($"http://{first.Host}:{first.HttpPort}/cluster/members", ct);
            using var doc = System.Text.Json.JsonDocument.Parse(json);
            return doc.RootElement.GetProperty("members").EnumerateArray()
                .Count(m => m.TryGetProperty("status", out var st) && st.GetString() == "Up");
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or System.Text.Json.JsonException
                                       or KeyNotFoundException or InvalidOperationException)
        {
            return 0;
        }
    }

    /// <summary>The msg and detail of the last "alarm" line an agent wrote to its container log.</summary>
    private static string? LastAlarm(string containerLog)
    {
        try
        {
            using var s = new FileStream(containerLog, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            s.Seek(Math.Max(0, s.Length - 65_536), SeekOrigin.Begin);
            using var r = new StreamReader(s);
            var line = r.ReadToEnd().Split('\n').LastOrDefault(l => l.Contains("\"msg\":\"alarm", StringComparison.Ordinal));
            if (line is null) return null;
            using var doc = System.Text.Json.JsonDocument.Parse(line);
            var root = doc.RootElement;
            var detail = root.TryGetProperty("detail", out var d) ? d.ToString() : "";
            return $"{root.GetProperty("msg").GetString()}: {detail}";
        }
        catch (Exception e) when (e is IOException or System.Text.Json.JsonException or KeyNotFoundException or InvalidOperationException)
        {
            return null;
        }
    }

    private async Task RefreshChildrenAsync(CancellationToken ct)
    {
        await Task.WhenAll(_fences.Keys.Select(async n =>
        {
            var status = await FenceControl.StatusAsync(Path.Combine(n.ControlDir, "fence.sock"), ct);
            if (status is null) return;
            var agent = _agents.TryGetValue(n, out var a) ? a.Pid : FenceControl.Pid(status, "agent");
            _children[n] = (agent, FenceControl.Pid(status, "pid"));
        }));
    }

    private async Task WaitForCompleteManifestAsync(TimeSpan limit, CancellationToken ct)
    {
        var deadline = _clock.Elapsed + limit;
        while (_clock.Elapsed < deadline && !ct.IsCancellationRequested)
        {
            if (_fences.Keys.All(n => _children.TryGetValue(n, out var c) && c.Agent > 0 && c.Node > 0)) return;
            await Task.Delay(200, ct);
            await RefreshChildrenAsync(ct);
        }
    }

    /// <summary>A node whose agent reports verified forging, or whose forge log's last transition is "on" with a slot after it.</summary>
    private async Task<NodePlan?> FindForgerAsync(CancellationToken ct)
    {
        foreach (var n in _fences.Keys)
        {
            try
            {
                var text = await _http.GetStringAsync(n.AgentMetricsUrl, ct);
                if (PromText.Forging(text)) return n;
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
            }
            if (ForgeLogTail.ForgingNow(n.ForgeLog)) return n;
        }
        return null;
    }

    public SandboxManifest Manifest() => new(
        Layout.Kubeconfig,
        Layout.Regions.Select((r, i) => new RegionManifest(
            r.Cluster, r.Region, r.Priority, r.Cluster,
            _emulators.Count > i ? _emulators[i].BaseUrl.ToString().TrimEnd('/') : "",
            r.Coordinators.Select(c => new CoordinatorManifest(_coordinators.TryGetValue(c, out var p) ? p.Pid : 0, c.MetricsUrl, c.Shell)
                { FaketimeFile = _faketime is null ? null : c.FaketimeFile }).ToList(),
            r.Nodes.Select(n =>
            {
                var (agent, node) = _children.TryGetValue(n, out var c) ? c : (0, 0);
                return new NodeManifest(n.Id, n.Pod, agent, _fences.TryGetValue(n, out var f) ? f.Pid : 0, node, n.AgentMetricsUrl, n.ForgeLog)
                    { AgentFaketimeFile = _faketime is null ? null : n.AgentFaketimeFile };
            }).ToList()) { Netns = r.Netns, Address = r.Host }).ToList());

    private void WriteManifest(bool force)
    {
        lock (_manifestGate)
        {
            var m = Manifest();
            var json = m.ToJson();
            if (!force && json == _lastManifest) return;
            m.WriteTo(Layout.ManifestPath);
            _lastManifest = json;
        }
    }

    // ---------------------------------------------------------------- stop

    /// <summary>Stops every child (fences first: each stops its agent and node), then the coordinators and emulators,
    /// then kills anything left whose command line names the sandbox directory.</summary>
    public async Task StopAsync()
    {
        Say("sandbox: stopping");
        await Task.WhenAll(_agents.Values.Select(a => a.StopAsync(TimeSpan.FromSeconds(8))));
        await Task.WhenAll(_fences.Values.Select(f => f.StopAsync(TimeSpan.FromSeconds(8))));
        await Task.WhenAll(_coordinators.Values.Select(c => c.StopAsync(TimeSpan.FromSeconds(10))));
        foreach (var e in _emulators)
        {
            try
            {
                await e.DisposeAsync();
            }
            catch (Exception ex) when (ex is ObjectDisposedException or InvalidOperationException or OperationCanceledException)
            {
            }
        }
        _emulators.Clear();
        var leftovers = Sweep();
        if (leftovers > 0) Say($"sandbox: killed {leftovers} leftover process(es)");
        _network?.Dispose(); // namespaces (and any nft tables in them), veths, bridge
        File.Delete(Layout.ManifestPath); // its PIDs are gone
        File.Delete(Path.Combine(Layout.Dir, "sandbox.pid"));
        Say("sandbox: stopped; logs stay in " + Layout.Dir);
    }

    /// <summary>SIGKILLs every live process naming DIR on its command line, except this process and its ancestors
    /// (<c>dotnet run ... --dir DIR</c>); returns how many there were.</summary>
    public int Sweep()
    {
        var keep = ProcFs.AncestorsOf(Environment.ProcessId);
        keep.Add(Environment.ProcessId);
        var killed = 0;
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < TimeSpan.FromSeconds(5))
        {
            var left = ProcFs.WithCommandLineContaining(Layout.Dir, Environment.ProcessId).Where(p => !keep.Contains(p)).ToList();
            if (left.Count == 0) break;
            foreach (var pid in left)
                if (Native.Kill(pid, Native.SIGKILL)) killed++;
            Thread.Sleep(100);
        }
        return killed;
    }

    /// <summary>Immediate SIGKILL of every child (a second Ctrl-C).</summary>
    public void KillAll()
    {
        foreach (var p in _agents.Values.Concat(_fences.Values).Concat(_coordinators.Values)) p.Kill();
        Sweep();
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var e in _emulators) await e.DisposeAsync();
        _network?.Dispose();
        _http.Dispose();
        _spawner.Dispose();
    }
}

internal sealed class SandboxStartException(string message) : Exception(message)
{
    public SandboxStartException() : this("the sandbox could not start") { }
    public SandboxStartException(string message, Exception inner) : this(message + ": " + inner.Message) { }
}
