using System.Diagnostics;
using System.Text.Json.Nodes;
using Akka.Actor;
using Akka.Cluster.Tools.PublishSubscribe;
using Forge.Arbiter;
using Forge.Coordinator.Tests.MultiNode;
using Forge.KubeApiEmulator;
using Forge.Kubernetes;
using Forge.Protocol;
using Forge.Shell.Client;
using Forge.Shell.Host;
using Forge.Shell.Palettes.Forge;
using Forge.Specs;
using k8s;
using Xunit;
using Xunit.Abstractions;
using static Forge.Coordinator.Tests.Fixtures;

namespace Forge.Coordinator.Tests.Arbiter;

/// <summary>
/// The operator shell against a coordinator with the real ForgeArbiter singleton, node entities and spec store, and the
/// real CRD projection on the Kubernetes API emulator (the repository's CRD). Two CardanoForgeClusters, one fake agent
/// each (they hold a delivered grant as forging and answer a revoke with a verified release); the grant port is the
/// fake quorum. The shell's commands go through the real client, host, queries and spec writer: a failover writes the
/// override on the CR, the projection feeds it to the store, the arbiter hands over, the shell reports the verified
/// forger, and the CR's status shows it. The same commands on the real quorum (three coordinator processes, each with
/// its region's grant replica, real agents and stand-ins) run in tests/Sandbox.Tests/ShellAgainstSandboxTests.cs; this
/// one is the fast in-process check, and the only one that sees the accepted grant's cause.
/// </summary>
[Collection("multi-node")]
public sealed class ShellFailoverSpec(ITestOutputHelper output) : IAsyncLifetime
{
    private const string PoolId = "pool1test"; // a bech32 pool id, as the CRD requires
    private static readonly NodeId EastNode = NodeId.Parse("east/bp-0");
    private static readonly NodeId WestNode = NodeId.Parse("west/bp-0");
    private static readonly ProjectionSettings Projection = new("cardano", PoolId, "forge-manager", TimeSpan.FromSeconds(5),
        TimeSpan.FromMilliseconds(500), TimeSpan.FromSeconds(10), TimeSpan.FromMinutes(5), TimeSpan.FromMilliseconds(50), TimeSpan.FromMilliseconds(500));

    private readonly FakeQuorum _quorum = new(Regions);
    private readonly KubeApiEmulatorServer _kube = new(new EmulatorOptions { CrdPaths = [Path.Combine(RepositoryRoot(), "deploy", "crd", "cardanoforgeclusters.cardano.io.yaml")] });
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private InProcessCoordinator _coordinator = null!;
    private k8s.Kubernetes _client = null!;
    private ShellHost _shell = null!;

    public async Task InitializeAsync()
    {
        await _kube.StartAsync();
        _kube.ApplyManifest(Cr("east", "us-east-1", 1));
        _kube.ApplyManifest(Cr("west", "us-west-2", 2));
        _client = new k8s.Kubernetes(new KubernetesClientConfiguration { Host = _kube.BaseUrl.ToString() });
        var api = new KubernetesForgeClusterApi(_client, "cardano", TimeSpan.FromSeconds(5), "forge-manager");

        var port = InProcessCoordinator.FreePort();
        _coordinator = InProcessCoordinator.Start(port, "us-east-1", Regions, InProcessCoordinator.SeedOf(port), _quorum);
        var system = _coordinator.System;
        await Until(() => Task.FromResult(_coordinator.UpMembers().Length == 1), TimeSpan.FromSeconds(15), "coordinator up");
        system.ActorOf(CrdProjection.Props(api, _coordinator.Specs, _coordinator.Arbiter, DistributedPubSub.Get(system).Mediator,
            Projection, "us-east-1"), "forge-projection");
        await Until(async () => (await _coordinator.Specs.Ask<PoolSpecs>(new GetPoolSpecs(PoolId), TimeSpan.FromSeconds(2))).Live.Count() == 2,
            TimeSpan.FromSeconds(15), "both CRs in the spec store");

        // East (the best) first, so the first grant is east's; then west as the standby.
        system.ActorOf(FakeAgent.Props(Register(EastNode, Guid.NewGuid(), PoolId, "us-east-1"), _coordinator.Nodes), "agent-east");
        await Until(async () => (await State()).Nodes.Any(n => n.Node == EastNode && n.Alive), TimeSpan.FromSeconds(15), "east visible");
        system.ActorOf(FakeAgent.Props(Register(WestNode, Guid.NewGuid(), PoolId, "us-west-2"), _coordinator.Nodes), "agent-west");
        await Until(async () => await State() is { } s && s.Nodes.Any(n => n.Node == WestNode && n.Alive)
                                && s.Nodes.Any(n => n.Node == EastNode && n.Forging == VerifiedForging.On),
            TimeSpan.FromSeconds(20), "east verified forging, west standing by");
        Log($"east forging under {_quorum.LastAccepted}");

        var queries = new ArbiterForgeQueries(system, _coordinator.Arbiter, _coordinator.Specs, ArbiterForgeQueries.DefaultRefresh);
        _shell = ForgeShell.Start(system, queries, new ClusterApiSpecWriter(api),
            new ShellSettings(true, "127.0.0.1", 0, null, 4, TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(40)))!;
    }

    public async Task DisposeAsync()
    {
        foreach (var o in _quorum.Outcomes) Log($"quorum: {o}");
        if (_shell is not null) await _shell.DisposeAsync();
        if (_coordinator is not null) await _coordinator.System.Terminate().WaitAsync(TimeSpan.FromSeconds(10)).ContinueWith(_ => { });
        _client?.Dispose();
        await _kube.DisposeAsync();
    }

    [Fact]
    public async Task Failover_writes_the_override_and_the_arbiter_hands_over_refuses_a_second_force_and_restore_hands_back()
    {
        var failover = await Shell("forge", "failover", "--to", "west", "--reason", "planned maintenance of east");
        Assert.True(failover.Code == 0, failover.ToString());
        Assert.Matches(@"^west/bp-0 is forging \(term \d+@us-east-1\); handed over from east/bp-0 in \d+\.\ds$", failover.Lines[^1]);
        // The arbiter moved forging: the quorum granted west, with the planned handover's verified release.
        Assert.Equal(WestNode, _quorum.LastAccepted!.Holder);
        Assert.Contains(_quorum.Outcomes, o => o.Accepted && o.Holder == WestNode && o.Why == "planned handover from east/bp-0: spec change: west outranks east");
        // The override an operator would have patched, on the CR itself.
        var o = (await Cr("west"))["spec"]!["override"]!;
        Assert.Equal((true, "Enabled", "planned maintenance of east"),
            (o["enabled"]!.GetValue<bool>(), o["forceState"]!.GetValue<string>(), o["reason"]!.GetValue<string>()));
        // The projection writes the verified forger into the CRs' status.
        await Until(async () => (await Cr("west"))["status"]?["activeLeader"]?.GetValue<string>() == "bp-0", TimeSpan.FromSeconds(15),
            "west's status names its active leader");

        var history = await Shell("forge", "history");
        Assert.Contains(history.Lines, l => System.Text.RegularExpressions.Regex.IsMatch(l, @"\s+pool1test\s+east/bp-0\s+west/bp-0\s+\d+@us-east-1\s+granted: planned handover from east/bp-0: spec change: west outranks east$"));

        // A second force Enabled is refused, with the way out, and writes nothing. This one runs the coordinator
        // executable's shell verb, as a script would: the refusal is its exit code.
        var refused = await ShellProcess("forge", "failover", "--to", "east", "--reason", "back");
        Assert.Equal(1, refused.Code);
        Assert.Contains("refused: west is already forced Enabled (override reason 'planned maintenance of east', no expiry)", refused.Err);
        Assert.Contains("Run 'forge restore west' first", refused.Err);
        Assert.Null((await Cr("east"))["spec"]!["override"]);

        // Restore ends west's override as an expiry would; east (priority 1) gets forging back at once (a spec change).
        var restore = await Shell("forge", "restore", "west");
        Assert.True(restore.Code == 0, restore.ToString());
        Assert.Equal("west is back to Priority-based (priority 2)", restore.Lines[^2]);
        Assert.Matches(@"^east/bp-0 is forging \(term \d+@us-east-1\)$", restore.Lines[^1]);
        Assert.False((await Cr("west"))["spec"]!["override"]!["enabled"]!.GetValue<bool>());
        Assert.Equal(EastNode, _quorum.LastAccepted!.Holder);
        var terms = _quorum.Outcomes.Where(x => x.Accepted).Select(x => x.Term).ToList();
        Assert.Equal(terms.Order(), terms); // terms only grow
    }

    private async Task<ShellRun> Shell(params string[] words)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var sw = Stopwatch.StartNew();
        var code = await ShellClient.RunAsync([$"127.0.0.1:{_shell.Endpoint.Port}", .. words], new StringReader(""), stdout, stderr);
        var run = new ShellRun(code, stdout.ToString(), stderr.ToString());
        Log($"shell {string.Join(' ', words)} ({sw.Elapsed.TotalSeconds:0.0}s): {run}");
        return run;
    }

    /// <summary><c>forge-coordinator shell HOST:PORT words...</c> as its own process (the build output next to the tests).</summary>
    private async Task<ShellRun> ShellProcess(params string[] words)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true };
        foreach (var a in (string[])[Path.Combine(AppContext.BaseDirectory, "forge-coordinator.dll"), "shell", $"127.0.0.1:{_shell.Endpoint.Port}", .. words])
            start.ArgumentList.Add(a);
        using var process = Process.Start(start)!;
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        try
        {
            await process.WaitForExitAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }
        var run = new ShellRun(process.ExitCode, await stdout, await stderr);
        Log($"process shell {string.Join(' ', words)}: {run}");
        return run;
    }

    private sealed record ShellRun(int Code, string Out, string Err)
    {
        public string[] Lines => Out.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.TrimEnd('\r')).ToArray();
        public override string ToString() => $"exit {Code}\n{Out}{Err}";
    }

    private Task<PoolState> State() => _coordinator.Arbiter.Ask<PoolState>(new GetPoolState(PoolId), TimeSpan.FromSeconds(2));

    private async Task<JsonObject> Cr(string name)
    {
        using var http = new HttpClient { BaseAddress = _kube.BaseUrl };
        return JsonNode.Parse(await http.GetStringAsync($"apis/cardano.io/v1/namespaces/cardano/cardanoforgeclusters/{name}"))!.AsObject();
    }

    private static string Cr(string name, string region, int priority) => $"""
        apiVersion: cardano.io/v1
        kind: CardanoForgeCluster
        metadata:
          name: {name}
        spec:
          region: {region}
          priority: {priority}
          forgeState: Priority-based
          pool:
            id: {PoolId}
        """;

    private void Log(string text) => output.WriteLine($"[{_clock.Elapsed.TotalSeconds,6:0.00}s] {text}");

    private static async Task Until(Func<Task<bool>> condition, TimeSpan deadline, string what)
    {
        var sw = Stopwatch.StartNew();
        while (sw.Elapsed < deadline)
        {
            try
            {
                if (await condition()) return;
            }
            catch (Exception e) when (e is AskTimeoutException or TaskCanceledException or TimeoutException or HttpRequestException)
            {
            }
            await Task.Delay(100);
        }
        throw new TimeoutException($"'{what}' did not happen within {deadline.TotalSeconds}s");
    }

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Coordinator.sln"))) return dir.FullName;
        throw new InvalidOperationException("repository root (Coordinator.sln) not found above " + AppContext.BaseDirectory);
    }
}
