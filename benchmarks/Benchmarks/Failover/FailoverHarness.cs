using System.Diagnostics;
using Forge.Benchmarks.Scale;

namespace Forge.Benchmarks.Failover;

/// <summary>
/// `failover DIR SCENARIO RUNS` against a running sandbox (`forge-coordinator sandbox --dir DIR`, production timings):
/// per run, once some node forged within the last 3 s (and, for kill-arbiter-host, a coordinator reports hosting the
/// arbiter, and every coordinator is in the cluster) and a settle time has passed, it SIGKILLs the target, then waits for
/// the next forged slot of any node: failover = that slot's monotonic time − the kill. Targets: <c>kill-forger</c> = the
/// cardano-node (stand-in) that forged last; <c>kill-arbiter-host</c> = the coordinator with
/// forge_coordinator_arbiter_local 1; <c>kill-forger-region</c> = every process of the last forger's region (coordinator,
/// agents, fences, nodes: a region crash, with the arbiter in it when it is hosted there). Also the longest gap
/// between forged slots from 2 s before the kill to 15 s after, and slots forged by two nodes over the whole logs (S1).
/// The sandbox restarts what was killed (fence 3 s, coordinator 5 s).
/// </summary>
public static class FailoverHarness
{
    public static async Task<int> Run(string dir, string scenario, int runs, TimeSpan settle)
    {
        if (scenario is not ("kill-forger" or "kill-arbiter-host" or "kill-forger-region"))
            throw new ArgumentException("scenario: kill-forger | kill-arbiter-host | kill-forger-region");
        Console.WriteLine(Machine.Describe());
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(3) };
        var failovers = new List<double>();
        var ns = (double)Stopwatch.Frequency;
        for (var run = 1; run <= runs; run++)
        {
            // ready: recent forging (and an arbiter host), then the settle time, then ready again
            SandboxView view = null!;
            SandboxView.Coordinator? host = null;
            async Task<bool> Ready()
            {
                view = SandboxView.Load(dir);
                var last = view.ForgedSlots().LastOrDefault();
                if (last is null || Stopwatch.GetTimestamp() - last.Mono > 3 * Stopwatch.Frequency) return false;
                host = await view.ArbiterHost(http);
                return host is not null && await view.ClusterFormed(http);
            }
            if (!await Until(Ready, TimeSpan.FromMinutes(3))) { Console.WriteLine($"run {run}: FAILED: the sandbox is not forging (or has no arbiter host)"); return 1; }
            await Task.Delay(settle);
            if (!await Until(Ready, TimeSpan.FromMinutes(3))) { Console.WriteLine($"run {run}: FAILED: not ready after the settle time"); return 1; }

            var before = view.ForgedSlots();
            var forger = before[^1].Node;
            var region = view.Nodes.Single(n => n.Id == forger).Region;
            var (pids, what) = scenario switch
            {
                "kill-forger" => (new[] { view.Nodes.Single(n => n.Id == forger).NodePid }, $"cardano-node of {forger}"),
                "kill-arbiter-host" => ([host!.Pid], "arbiter host coordinator"),
                _ => (view.RegionPids(region).ToArray(), $"region {region} of {forger} (arbiter {(host!.Region == region ? "in it" : "elsewhere")})"),
            };
            var t0 = Stopwatch.GetTimestamp();
            foreach (var pid in pids)
            {
                try
                {
                    using var p = Process.GetProcessById(pid);
                    p.Kill(); // SIGKILL
                }
                catch (ArgumentException)
                {
                    // gone already (a fence's death takes its node and agent with it)
                }
            }
            SandboxView.Forged? next = null;
            await Until(() =>
            {
                next = SandboxView.Load(dir).ForgedSlots().FirstOrDefault(f => f.Mono > t0);
                return Task.FromResult(next is not null);
            }, TimeSpan.FromSeconds(60));
            await Task.Delay(TimeSpan.FromSeconds(15));
            var after = SandboxView.Load(dir).ForgedSlots();
            var window = after.Where(f => f.Mono >= t0 - 2 * Stopwatch.Frequency && f.Mono <= t0 + 15 * Stopwatch.Frequency).Select(f => f.Mono).ToList();
            var maxGap = window.Zip(window.Skip(1), (a, b) => (b - a) / ns).DefaultIfEmpty(double.NaN).Max();
            var doubled = after.GroupBy(f => f.Slot).Count(g => g.Select(f => f.Node).Distinct().Count() > 1);
            if (next is null)
            {
                Console.WriteLine($"run {run}: killed {what} (pids {string.Join(",", pids)}): NO forged slot within 60 s; double-forged slots so far {doubled}");
                continue;
            }
            var failover = (next.Mono - t0) / ns;
            failovers.Add(failover * 1000);
            Console.WriteLine($"run {run}: killed {what} (pids {string.Join(",", pids)}); next forged slot {next.Slot} by {next.Node} after {failover:0.00} s; " +
                              $"longest gap around the kill {maxGap:0.00} s; double-forged slots so far {doubled}");
        }
        Console.WriteLine($"{scenario}: {failovers.Count} of {runs} runs recovered; failover {ScaleReport.Percentiles(failovers)}");
        return failovers.Count == runs ? 0 : 1;
    }

    private static async Task<bool> Until(Func<Task<bool>> condition, TimeSpan deadline)
    {
        var sw = Stopwatch.StartNew();
        while (!await condition())
        {
            if (sw.Elapsed > deadline) return false;
            await Task.Delay(200); // polling a harness condition
        }
        return true;
    }
}
