using System.Globalization;
using System.Text.Json.Nodes;
using Forge.FaultInjection.Checking;

namespace Forge.FaultInjection.Running;

/// <summary>A fault as injected: what was hit, when (CLOCK_MONOTONIC ns), which nodes the runner killed, and from when
/// recovery is measured (the fault, or the end of an operator's deliberate no-forging phase).</summary>
/// <param name="ExpectMove">Forging must leave the forger (a planned handover): a run where it stayed measured nothing.</param>
public sealed record Fault(string Target, long Mono, IReadOnlyList<NodeDeath> Deaths, long RecoverFrom, Func<Task>? Restore = null,
    bool ExpectMove = false)
{
    /// <summary>When a held fault (partition, API outage, clock offset, SIGSTOP until SIGCONT) was undone, else null.</summary>
    public long? HealedMono { get; init; }
}

public sealed record FaultContext(SandboxProbe Probe, Manifest Manifest, NodeEntry Forger, TimeSpan PauseFor, Random Random,
    Kubectl Kubectl, IReadOnlyDictionary<string, JsonObject> OriginalSpecs)
{
    public TimeSpan GrantTtl { get; init; } = TimeSpan.FromSeconds(5);
}

/// <summary>What a scenario needs of the machine beyond signals and kubectl (else it is skipped, with the reason).</summary>
public enum Needs
{
    Nothing,
    /// <summary>The sandbox with --region-netns: root (CAP_NET_ADMIN + CAP_SYS_ADMIN), ip, nft.</summary>
    RegionNetns,
    /// <summary>The sandbox with --faketime: libfaketime.</summary>
    Faketime,
}

public sealed record Scenario(string Name, string What, Func<FaultContext, Task<Fault>> Inject, Needs Needs = Needs.Nothing);

/// <summary>Every fault the runner can inject with real signals, kubectl, nft in the regions' network namespaces, the API
/// emulators' fault hook and libfaketime. What is still not covered: see <see cref="Missing"/>.</summary>
public static partial class Scenarios
{
    public static readonly IReadOnlyList<string> ShortProfile =
        ["kill-forger-node", "kill-forger-agent", "stop-forger-agent", "kill-coordinator", "operator-random-patch",
         "partition-isolate-forger-region"];

    /// <summary>The timed failover harness (benchmarks/README.md): planned handover, forger killed, arbiter host killed.</summary>
    public static readonly IReadOnlyList<string> BenchProfile = ["planned-handover", "kill-forger-node", "kill-arbiter-host"];

    public static readonly IReadOnlyDictionary<string, string> Missing = new Dictionary<string, string>
    {
        ["kube-api-down/hang as process signals"] = "the API emulators run inside the sandbox process, so they are not killed or " +
            "SIGSTOPped: 'down' is nft rejecting (TCP reset) the region's connections to its emulator (503 for every request " +
            "without --region-netns), 'hang' the emulator's hang mode (requests and watches never answered)",
    };

    public static IReadOnlyList<Scenario> All { get; } =
    [
        new("kill-forger-node", "kill -9 of the forging cardano-node", c => Kill(c, "node", [c.Forger.NodePid], [c.Forger.Id])),
        new("kill-forger-agent", "kill -9 of the forging node's agent", c => Kill(c, "agent", [c.Forger.AgentPid], [])),
        new("kill-forger-fence", "kill -9 of the forging node's fence (takes node and agent with it)",
            c => Kill(c, "fence", [c.Forger.FencePid], [c.Forger.Id])),
        new("kill-coordinator", "kill -9 of a coordinator that does not host the arbiter", KillCoordinator),
        new("kill-arbiter-host", "kill -9 of the coordinator hosting the ForgeArbiter singleton", KillArbiterHost),
        new("kill-region", "kill -9 of every process of the forger's region", KillRegion),
        new("stop-forger-agent", "SIGSTOP of the forging agent past the grant TTL, then SIGCONT", c => Stop(c, "agent", [c.Forger.AgentPid])),
        new("stop-forger-fence", "SIGSTOP of the forging node's fence alone past the grant TTL", c => Stop(c, "fence", [c.Forger.FencePid])),
        new("stop-forger-pod", "SIGSTOP of agent + fence + node past the grant TTL (SIGCONT fence first)",
            c => Stop(c, "pod", [c.Forger.FencePid, c.Forger.AgentPid, c.Forger.NodePid])),
        new("stop-arbiter-host", "SIGSTOP of the arbiter's host past the grant TTL", StopArbiterHost),
        new("planned-handover", "the forger's cluster patched to priority 999: forging moves at once (L2), then restored", PlannedHandover),
        new("operator-random-patch", "a random valid spec patch (priority, forgeState, override)", RandomPatch),
        new("operator-two-enabled", "two clusters forgeState Enabled", TwoEnabled),
        new("operator-all-disabled", "every cluster Disabled until no node forges, then restored", AllDisabled),
        new("operator-delete-recreate", "the forger's CardanoForgeCluster deleted, then re-created", DeleteRecreate),
        .. NetworkScenarios,
        .. KubeApiScenarios,
        .. ClockScenarios,
    ];

    private static async Task<Fault> Kill(FaultContext c, string what, int[] pids, string[] nodesDying)
    {
        var at = Native.MonoNow();
        foreach (var pid in pids)
            if (!Native.Signal(pid, Native.SIGKILL)) throw new InvalidOperationException($"kill -9 {pid} ({what}): no such process");
        var gone = await GoneAsync(what, pids.Concat(c.Manifest.Nodes.Where(n => nodesDying.Contains(n.Id)).Select(n => n.NodePid)))
            .ConfigureAwait(false);
        return new Fault($"{what} of {c.Forger.Id} (pid {string.Join(',', pids)})", at, nodesDying.Select(n => new NodeDeath(n, gone)).ToList(), at);
    }

    /// <summary>Waits (deadline) until every PID is gone and returns that moment: a dying node's open on-interval ends
    /// there. Not at the signal: a process writes until the signal lands (a stand-in logged a slot after the runner's
    /// clock read at load ~100), and an end before its last line would be skipped for a later death, inventing an overlap.
    /// Ending later than the real death can only report more overlap, never hide one.</summary>
    private static async Task<long> GoneAsync(string what, IEnumerable<int> pids)
    {
        var list = pids.Where(p => p > 0).ToList();
        if (!await Poll.UntilAsync(() => list.All(p => !Native.Alive(p)), TimeSpan.FromSeconds(10)).ConfigureAwait(false))
            throw new InvalidOperationException($"kill -9 ({what}): pid(s) {string.Join(',', list.Where(Native.Alive))} still alive 10 s later");
        return Native.MonoNow();
    }

    private static async Task<Fault> KillCoordinator(FaultContext c)
    {
        var host = await c.Probe.ArbiterHostAsync().ConfigureAwait(false);
        var others = c.Manifest.Regions.SelectMany(r => r.Coordinators).Where(x => x.Pid != host?.Coordinator.Pid).ToList();
        var victim = others[c.Random.Next(others.Count)];
        var at = Native.MonoNow();
        if (!Native.Signal(victim.Pid, Native.SIGKILL)) throw new InvalidOperationException($"coordinator {victim.Pid} already gone");
        return new Fault($"coordinator pid {victim.Pid} ({victim.Metrics})", at, [], at);
    }

    private static async Task<Fault> KillArbiterHost(FaultContext c)
    {
        var host = await ArbiterHostAsync(c).ConfigureAwait(false);
        var at = Native.MonoNow();
        if (!Native.Signal(host.Coordinator.Pid, Native.SIGKILL)) throw new InvalidOperationException("arbiter host already gone");
        return new Fault($"arbiter host {host.Region.Name} pid {host.Coordinator.Pid}", at, [], at);
    }

    /// <summary>The arbiter's host, polled: after a restart the singleton takes a while to settle somewhere.</summary>
    private static async Task<(RegionEntry Region, CoordinatorEntry Coordinator)> ArbiterHostAsync(FaultContext c)
    {
        (RegionEntry, CoordinatorEntry)? host = null;
        await Poll.UntilAsync(async () => (host = await c.Probe.ArbiterHostAsync().ConfigureAwait(false)) is not null, TimeSpan.FromSeconds(45))
            .ConfigureAwait(false);
        return host ?? throw new InvalidOperationException("no coordinator reports forge_coordinator_arbiter_local 1 within 45 s");
    }

    private static async Task<Fault> KillRegion(FaultContext c)
    {
        var region = c.Manifest.Regions.First(r => r.Nodes.Any(n => n.Id == c.Forger.Id));
        var pids = region.Nodes.SelectMany(n => new[] { n.FencePid, n.AgentPid, n.NodePid }).Concat(region.Coordinators.Select(x => x.Pid)).ToList();
        var at = Native.MonoNow();
        foreach (var pid in pids) Native.Signal(pid, Native.SIGKILL);
        var gone = await GoneAsync($"region {region.Name}", pids).ConfigureAwait(false);
        return new Fault($"region {region.Name} (every process)", at, region.Nodes.Select(n => new NodeDeath(n.Id, gone)).ToList(), at);
    }

    private static async Task<Fault> Stop(FaultContext c, string what, int[] pids)
    {
        var at = Native.MonoNow();
        var started = pids.ToDictionary(pid => pid, Native.StartTime);
        foreach (var pid in pids)
            if (!Native.Signal(pid, Native.SIGSTOP)) throw new InvalidOperationException($"SIGSTOP {pid} ({what}): no such process");
        var gone = new List<int>();
        var deaths = new List<NodeDeath>();
        try
        {
            // the pause is the fault itself (a fixed time, not a wait for a condition); meanwhile the stopped node's PID
            // is watched: if its pod is killed (the coordinator fences a silent forger through the kubelet), its
            // on-interval ends when it was first seen gone - an upper bound, so an overlap is never hidden
            var until = Native.MonoNow() + (long)c.PauseFor.TotalMilliseconds * 1_000_000;
            var node = pids.Contains(c.Forger.NodePid) ? c.Forger.NodePid : 0;
            while (Native.MonoNow() < until)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(50)).ConfigureAwait(false);
                if (node != 0 && (!Native.Alive(node) || Native.StartTime(node) != started[node])) // a zombie runs no code
                {
                    deaths.Add(new NodeDeath(c.Forger.Id, Native.MonoNow()));
                    node = 0;
                }
            }
        }
        finally
        {
            // a process killed while stopped (the coordinator fences a silent forger's pod through its kubelet) is not
            // thawed: its PID may already name another process
            foreach (var pid in pids)
                if (Native.Alive(pid) && Native.StartTime(pid) == started[pid]) Native.Signal(pid, Native.SIGCONT);
                else gone.Add(pid);
        }
        var killed = gone.Count == 0 ? "" : $"; killed while stopped: {string.Join(", ", gone)}";
        return new Fault($"SIGSTOP {what} of {c.Forger.Id} for {c.PauseFor.TotalSeconds:0.#} s{killed}", at, deaths, at)
            { HealedMono = Native.MonoNow() }; // the thaw: what a thawed process does is part of this run's check
    }

    private static async Task<Fault> StopArbiterHost(FaultContext c)
    {
        var host = await ArbiterHostAsync(c).ConfigureAwait(false);
        var at = Native.MonoNow();
        Native.Signal(host.Coordinator.Pid, Native.SIGSTOP);
        try
        {
            await Task.Delay(c.PauseFor).ConfigureAwait(false);
        }
        finally
        {
            Native.Signal(host.Coordinator.Pid, Native.SIGCONT);
        }
        return new Fault($"SIGSTOP arbiter host {host.Region.Name} pid {host.Coordinator.Pid} for {c.PauseFor.TotalSeconds:0.#} s", at, [], at)
            { HealedMono = Native.MonoNow() };
    }

    private static Task<Fault> RandomPatch(FaultContext c)
    {
        var region = c.Manifest.Regions[c.Random.Next(c.Manifest.Regions.Count)];
        var spec = c.Random.Next(3) switch
        {
            0 => new JsonObject { ["priority"] = c.Random.Next(1, 10) },
            1 => new JsonObject { ["forgeState"] = c.Random.Next(2) == 0 ? "Enabled" : "Priority-based" },
            _ => new JsonObject
            {
                ["override"] = new JsonObject
                {
                    ["enabled"] = true, ["forcePriority"] = c.Random.Next(1, 10),
                    ["expiresAt"] = DateTime.UtcNow.AddHours(1).ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture),
                },
            },
        };
        var patch = new JsonObject { ["spec"] = spec }.ToJsonString();
        var at = Native.MonoNow();
        c.Kubectl.Patch(region.Context, region.Name, patch);
        return Task.FromResult(new Fault($"{region.Name}: {patch}", at, [], at, () => RestoreAll(c)));
    }

    private static Task<Fault> PlannedHandover(FaultContext c)
    {
        var region = c.Manifest.Regions.First(r => r.Nodes.Any(n => n.Id == c.Forger.Id));
        var at = Native.MonoNow();
        c.Kubectl.Patch(region.Context, region.Name, """{"spec":{"priority":999}}""");
        return Task.FromResult(new Fault($"{region.Name} priority 999", at, [], at, () => RestoreAll(c), ExpectMove: true));
    }

    private static Task<Fault> TwoEnabled(FaultContext c)
    {
        var two = c.Manifest.Regions.OrderBy(_ => c.Random.Next()).Take(2).ToList();
        var at = Native.MonoNow();
        foreach (var r in two) c.Kubectl.Patch(r.Context, r.Name, """{"spec":{"forgeState":"Enabled"}}""");
        return Task.FromResult(new Fault($"Enabled: {string.Join(", ", two.Select(r => r.Name))}", at, [], at, () => RestoreAll(c)));
    }

    private static async Task<Fault> AllDisabled(FaultContext c)
    {
        var at = Native.MonoNow();
        foreach (var r in c.Manifest.Regions) c.Kubectl.Patch(r.Context, r.Name, """{"spec":{"forgeState":"Disabled"}}""");
        var stopped = await Poll.UntilAsync(() => NoneForging(c), TimeSpan.FromSeconds(30)).ConfigureAwait(false);
        if (!stopped) throw new InvalidOperationException("every cluster Disabled, yet a node still forges 30 s later");
        await RestoreAll(c).ConfigureAwait(false);
        var restored = Native.MonoNow();
        return new Fault("all Disabled, then restored", at, [], restored);
    }

    private static async Task<Fault> DeleteRecreate(FaultContext c)
    {
        var region = c.Manifest.Regions.First(r => r.Nodes.Any(n => n.Id == c.Forger.Id));
        var (code, json) = c.Kubectl.Run("--context", region.Context, "get", Kubectl.Resource, region.Name, "-o", "json");
        if (code != 0) throw new InvalidOperationException("kubectl get: " + json);
        var obj = JsonNode.Parse(json)!.AsObject();
        obj.Remove("status");
        var meta = obj["metadata"]!.AsObject();
        foreach (var k in new[] { "resourceVersion", "uid", "creationTimestamp", "generation", "managedFields" }) meta.Remove(k);
        var file = Path.Combine(c.Probe.Sandbox.Root, $"recreate-{region.Name}.json");
        await File.WriteAllTextAsync(file, obj.ToJsonString()).ConfigureAwait(false);
        var at = Native.MonoNow();
        var (dc, dout) = c.Kubectl.Run("--context", region.Context, "delete", Kubectl.Resource, region.Name, "--wait=false");
        if (dc != 0) throw new InvalidOperationException("kubectl delete: " + dout);
        // the forger's cluster lost its spec: forging leaves it (or stops) before it comes back
        await Poll.UntilAsync(() => !ForgingNow(c, c.Forger), TimeSpan.FromSeconds(30)).ConfigureAwait(false);
        var (cc, cout) = c.Kubectl.Run("--context", region.Context, "create", "-f", file);
        if (cc != 0) throw new InvalidOperationException("kubectl create: " + cout);
        return new Fault($"{region.Name} deleted and re-created", at, [], at);
    }

    private static Task RestoreAll(FaultContext c)
    {
        foreach (var r in c.Manifest.Regions)
        {
            var spec = c.OriginalSpecs[r.Name];
            var patch = new JsonObject
            {
                ["spec"] = new JsonObject
                {
                    ["forgeState"] = spec["forgeState"]?.DeepClone(), ["priority"] = spec["priority"]?.DeepClone(),
                    ["override"] = spec["override"]?.DeepClone(),
                },
            };
            c.Kubectl.Patch(r.Context, r.Name, patch.ToJsonString());
        }
        return Task.CompletedTask;
    }

    private static bool ForgingNow(FaultContext c, NodeEntry node) =>
        ForgeLogReader.Read(node.ForgeLog).Entries.Any(e => e.Slot is not null && e.Mono >= Native.MonoNow() - 1_000_000_000);

    private static bool NoneForging(FaultContext c) => c.Manifest.Nodes.All(n => !ForgingNow(c, n));
}
