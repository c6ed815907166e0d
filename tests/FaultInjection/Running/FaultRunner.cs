using System.Diagnostics;
using System.Text.Json.Nodes;
using Forge.FaultInjection.Checking;

namespace Forge.FaultInjection.Running;

public sealed record RunnerOptions(string Profile, IReadOnlyList<string> Scenarios, int Runs, int SlotMs, TimeSpan GrantTtl,
    TimeSpan ReadyLimit, TimeSpan RecoveryLimit, int Seed)
{
    /// <summary>How long one node must have forged alone without a gap before a fault (<c>--settle-s</c>): a fault in the
    /// churn after the previous one (a failback, a handover under way) measured that churn, not a failover.</summary>
    public TimeSpan Settle { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Rewritten after every scenario (profile "PROFILE (partial)"), so a long run cut short still leaves its figures.</summary>
    public string? PartialReportPath { get; init; }
}

/// <summary>
/// Drives one sandbox through the chosen scenarios: waits for one stable forger, injects the fault, waits for forging to
/// be stable again with every process back, then checks every forge log over the scenario's window. The whole run's
/// logs are checked once more at the end (a violation between scenarios is not lost).
/// </summary>
public sealed class FaultRunner(RunnerOptions options, TextWriter log)
{
    /// <summary>How far past a held fault's heal (a SIGCONT, a partition lifted) a run's check reaches at least.</summary>
    private static readonly TimeSpan AfterHeal = TimeSpan.FromSeconds(2);

    private const double Ns = 1e9;

    public async Task<RunReport> RunAsync()
    {
        var started = DateTimeOffset.UtcNow;
        var clock = Stopwatch.StartNew();
        var selected = options.Scenarios.Select(n => Scenarios.All.First(s => s.Name == n)).ToList();
        var unmet = new Dictionary<Needs, string?>
        {
            [Needs.Nothing] = null,
            [Needs.RegionNetns] = selected.Any(s => s.Needs == Needs.RegionNetns) ? HostCapabilities.NetnsUnavailable() : null,
            [Needs.Faketime] = selected.Any(s => s.Needs == Needs.Faketime) ? HostCapabilities.FaketimeUnavailable() : null,
        };
        var runnable = selected.Where(s => unmet[s.Needs] is null).ToList();
        foreach (var s in selected.Where(s => unmet[s.Needs] is not null))
            log.WriteLine($"fault-injection: {s.Name} SKIPPED (not passed): {unmet[s.Needs]}");
        if (runnable.Count == 0) // nothing to run: no sandbox, and nothing counts as checked
            return new RunReport(options.Profile, options.SlotMs, options.GrantTtl.TotalSeconds, 0, started, clock.Elapsed.TotalSeconds,
                Machine(), null, "every selected scenario was skipped",
                [.. selected.Select(s => RunReport.Skip(s, unmet[s.Needs]!))], 0, 0, 0, 0, Scenarios.Missing);
        var sandboxArgs = new List<string>();
        if (runnable.Any(s => s.Needs == Needs.RegionNetns)) sandboxArgs.Add("--region-netns");
        if (runnable.Any(s => s.Needs == Needs.Faketime)) sandboxArgs.Add("--faketime");
        using var sandbox = SandboxProcess.Start(options.SlotMs, sandboxArgs);
        log.WriteLine($"fault-injection: sandbox in {sandbox.Dir}, slot {options.SlotMs} ms {string.Join(' ', sandboxArgs)}");
        var ready = await sandbox.WaitReadyAsync(options.ReadyLimit).ConfigureAwait(false);
        var readyAfter = clock.Elapsed.TotalSeconds;
        var pause = options.GrantTtl + TimeSpan.FromSeconds(3);
        var summaries = new List<ScenarioSummary>();
        string? sandboxProblem = null;
        var allDeaths = new List<NodeDeath>();
        if (!ready)
        {
            sandboxProblem = $"sandbox not ready (no node verified forging) within {options.ReadyLimit.TotalSeconds:0} s; it said:\n" +
                             string.Join('\n', sandbox.Output.Split('\n').Where(l => l.StartsWith("sandbox", StringComparison.Ordinal)).TakeLast(12)) +
                             LastCoordinatorWarning(sandbox.Dir) +
                             $"\n(logs under {sandbox.Dir}; FORGE_KEEP_SANDBOX=1 keeps them)";
            log.WriteLine("fault-injection: " + sandboxProblem);
        }
        else
        {
            log.WriteLine($"fault-injection: sandbox ready after {readyAfter:0.0} s");
            using var probe = new SandboxProbe(sandbox);
            var kubectl = new Kubectl(sandbox.Manifest().Kubeconfig);
            var specs = OriginalSpecs(sandbox.Manifest(), kubectl);
            var random = new Random(options.Seed);
            foreach (var scenario in runnable)
            {
                var runs = new List<RunResult>();
                for (var i = 1; i <= options.Runs; i++)
                {
                    var r = await RunOnceAsync(scenario, i, probe, kubectl, specs, pause, random, allDeaths).ConfigureAwait(false);
                    log.WriteLine($"fault-injection: {r.Scenario} #{r.Run}: {(r.Problem ?? "ok")}; double-forged {r.DoubleForgedSlots}, " +
                                  $"overlaps {r.Overlaps}, failover {r.FailoverSeconds?.ToString("0.00", System.Globalization.CultureInfo.InvariantCulture) ?? "-"} s, " +
                                  $"max gap {r.MaxGapSeconds:0.00} s, {r.SlotsChecked} slots checked" +
                                  (r.ForgingAfterHealSeconds is { } h ? $", forging {h.ToString("0.00", System.Globalization.CultureInfo.InvariantCulture)} s after the heal" : "") +
                                  $"; {r.Target}");
                    foreach (var v in r.Violations) log.WriteLine("  VIOLATION " + v);
                    runs.Add(r);
                }
                summaries.Add(RunReport.Summarize(scenario, runs));
                if (options.PartialReportPath is { } partial)
                    await File.WriteAllTextAsync(partial, Report(options.Profile + " (partial)", null).ToJson()).ConfigureAwait(false);
            }
        }
        summaries.AddRange(selected.Where(s => unmet[s.Needs] is not null).Select(s => RunReport.Skip(s, unmet[s.Needs]!)));
        var whole = File.Exists(sandbox.ManifestPath)
            ? ForgeLogChecker.Check(sandbox.ForgeLogs(), deaths: allDeaths)
            : null;
        // The whole run's check also covers the time between scenarios (settles, restores): say what it found.
        foreach (var v in whole is null ? [] : Violations(whole)) log.WriteLine("fault-injection: whole run: VIOLATION " + v);
        return Report(options.Profile, whole);

        RunReport Report(string profile, CheckResult? wholeRun) => new(profile, options.SlotMs, options.GrantTtl.TotalSeconds,
            pause.TotalSeconds, started, clock.Elapsed.TotalSeconds, Machine(), ready ? readyAfter : null, sandboxProblem, summaries,
            summaries.Sum(s => s.DoubleForgedSlots), summaries.Sum(s => s.Overlaps), wholeRun?.DoubleForged.Count ?? 0,
            wholeRun?.Overlaps.Count ?? 0, Scenarios.Missing);
    }

    private async Task<RunResult> RunOnceAsync(Scenario scenario, int run, SandboxProbe probe, Kubectl kubectl,
        IReadOnlyDictionary<string, JsonObject> specs, TimeSpan pause, Random random, List<NodeDeath> allDeaths)
    {
        RunResult Failed(string problem, string target = "-") => new(scenario.Name, run, target, problem, 0, 0, 0, 0, null, false, 0, [], [], null);

        NodeEntry? forger = null;
        var regions = probe.Sandbox.Manifest().Regions.Count;
        if (!await Poll.UntilAsync(async () => probe.AllProcessesRunning() && await probe.ClusterFormedAsync().ConfigureAwait(false)
                                               && await probe.AllAgentsRegisteredAsync().ConfigureAwait(false)
                                               && (forger = probe.StableForger(options.Settle)) is not null
                                               && (regions < 2 || kubectl.AnotherClusterEligible(forger.Id[..forger.Id.IndexOf('/')])),
                    options.RecoveryLimit)
                .ConfigureAwait(false))
            return Failed($"no single forger for {options.Settle.TotalSeconds:0} s with every process running, every coordinator in the cluster, every agent registered " +
                          $"and another cluster eligible within {options.RecoveryLimit.TotalSeconds:0} s before the fault");
        var context = new FaultContext(probe, probe.Sandbox.Manifest(), forger!, pause, random, kubectl, specs) { GrantTtl = options.GrantTtl };
        Fault fault;
        try
        {
            fault = await scenario.Inject(context).ConfigureAwait(false);
        }
        catch (InvalidOperationException e)
        {
            return Failed("could not inject: " + e.Message);
        }
        allDeaths.AddRange(fault.Deaths);
        var windowFrom = fault.Mono - 2_000_000_000L;
        // recovered = one stable forger again with every process back (restarts done), judged only from slots forged after
        // the fault (StableForger looks 2.5 s back): under load a killed process can linger in /proc for a moment, and the
        // slots just before the fault must not pass for a recovery
        // A fault that should move forging (a planned handover) is restored only once it moved: injected while the
        // arbiter only listens after a thaw (the previous scenario froze its host), the move comes up to 5 s later, and a
        // restore before it left the move unobserved ("not exercised", session 11).
        var recovered = await Poll.UntilAsync(() => Native.MonoNow() - fault.Mono > 2_600_000_000L && probe.AllProcessesRunning()
                                                     && probe.StableForger() is { } current && (!fault.ExpectMove || current.Id != forger!.Id),
                options.RecoveryLimit)
            .ConfigureAwait(false);
        if (fault.Restore is { } restore)
        {
            await restore().ConfigureAwait(false);
            recovered &= await Poll.UntilAsync(() => probe.AllProcessesRunning() && probe.StableForger() is not null, options.RecoveryLimit)
                .ConfigureAwait(false);
        }
        if (fault.HealedMono is { } healed) // a slot forged after the heal, so the report can say how long that took
            recovered &= await Poll.UntilAsync(() => FirstSlotAfter(probe.Sandbox.ForgeLogs(), healed) is not null, options.RecoveryLimit)
                .ConfigureAwait(false);
        // The check reaches past the heal by AfterHeal: a thawed node forged the slot it woke in 10 ms after the other node,
        // and a check that read the logs between the two lines reported 0 double-forged slots where the whole-run check
        // found one (session 10, stop-forger-pod).
        if (fault.HealedMono is { } thawed && AfterHeal - TimeSpan.FromTicks((Native.MonoNow() - thawed) / 100) is var left && left > TimeSpan.Zero)
            await Task.Delay(left).ConfigureAwait(false); // a fixed window, not a condition
        var now = Native.MonoNow();
        var logs = probe.Sandbox.ForgeLogs();
        var result = ForgeLogChecker.Check(logs, windowFrom, now, allDeaths);
        // uninterrupted: the forger before the fault is still in the on-interval it was in at the fault
        var interrupted = !result.Intervals.Any(i => i.Node == forger!.Id && i.From <= fault.RecoverFrom && i.EndedBy == "horizon");
        var failover = interrupted ? ForgeLogChecker.Recovery(logs, result, fault.RecoverFrom, fresh: true) : 0;
        var violations = Violations(result);
        string? problem = null;
        if (!result.Evidence) problem = "no slot forged in the scenario's window: nothing was checked";
        else if (fault.ExpectMove && !interrupted)
            problem = $"forging never left {forger!.Id}, though the fault should have moved or stopped it: not exercised ({fault.Target})";
        else if (!recovered) problem = $"forging not stable again (one forger, every process back) within {options.RecoveryLimit.TotalSeconds:0} s";
        else if (failover is null) problem = "no forging in a fresh on-interval after the fault";
        return new RunResult(scenario.Name, run, fault.Target, problem, result.DoubleForged.Count, result.Overlaps.Count,
            result.Overlaps.Count == 0 ? 0 : result.Overlaps.Max(o => o.Nanos) / 1e6, (result.LongestGapNanos ?? 0) / Ns,
            failover / Ns, interrupted, result.SlotsForged, violations, result.Anomalies, FirstSlotAfter(logs, fault.HealedMono));
    }

    /// <summary>Seconds from a held fault's end to the next slot any node forged (null when not a held fault or none yet).</summary>
    private static double? FirstSlotAfter(IReadOnlyList<NodeForgeLog> logs, long? healed)
    {
        if (healed is not { } h) return null;
        var next = logs.SelectMany(l => l.Entries).Where(e => e.Slot is not null && e.Mono >= h).Select(e => (long?)e.Mono).Min();
        return next is { } n ? (n - h) / Ns : null;
    }

    private static Dictionary<string, JsonObject> OriginalSpecs(Manifest m, Kubectl kubectl)
    {
        var specs = new Dictionary<string, JsonObject>(StringComparer.Ordinal);
        foreach (var r in m.Regions)
        {
            var (code, json) = kubectl.Run("--context", r.Context, "get", Kubectl.Resource, r.Name, "-o", "json");
            if (code != 0) throw new InvalidOperationException($"kubectl get {r.Name}: {json}");
            specs[r.Name] = JsonNode.Parse(json)!["spec"]!.AsObject();
        }
        return specs;
    }

    /// <summary>The newest arbiter/grant warning of any coordinator: why nothing forges, in the system's own words.</summary>
    private static string LastCoordinatorWarning(string dir)
    {
        if (!Directory.Exists(dir)) return "";
        var line = Directory.EnumerateFiles(dir, "coordinator.log", SearchOption.AllDirectories)
            .SelectMany(f => SandboxProcess.ReadShared(f).Split('\n'))
            .Where(l => l.Contains("[WARNING]", StringComparison.Ordinal) && l.Contains("forge-arbiter", StringComparison.Ordinal))
            .Select(l => l.Trim()).Order(StringComparer.Ordinal).LastOrDefault();
        return line is null ? "" : "\nlast arbiter warning: " + line;
    }

    private static string Machine()
    {
        var cpu = File.Exists("/proc/cpuinfo")
            ? File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':')[1].Trim()
            : null;
        return $"{Environment.ProcessorCount} CPUs, {cpu ?? "unknown CPU"}, {System.Runtime.InteropServices.RuntimeInformation.OSDescription}";
    }

    private static List<string> Violations(CheckResult result) =>
        result.DoubleForged.Select(d => $"slot {d.Slot} forged by {string.Join(" and ", d.Nodes)}")
            .Concat(result.Overlaps.Select(o => $"on-intervals overlap {o.Nanos / 1e6:0.###} ms: {o.First.Node} [{o.First.From}, {o.First.To}] " +
                                                $"({o.First.EndedBy}) and {o.Second.Node} [{o.Second.From}, {o.Second.To}] ({o.Second.EndedBy})"))
            .ToList();
}
