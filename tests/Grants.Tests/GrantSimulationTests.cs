using System.Diagnostics;
using Xunit;
using Xunit.Abstractions;

namespace Forge.Grants.Tests;

public sealed class GrantSimulationTests(ITestOutputHelper output)
{
    private const long VirtualMs = 30_000;

    [Fact]
    public void Thousands_of_seeded_runs_never_have_two_forgers()
    {
        const int seeds = 2_000;
        var watch = Stopwatch.StartNew();
        var results = Enumerable.Range(1, seeds).AsParallel().Select(seed => new GrantSimulation(seed).Run(VirtualMs)).ToList();
        var failovers = results.SelectMany(r => r.FailoverMs).Order().ToList();
        output.WriteLine($"{seeds} seeds x {VirtualMs / 1000} s virtual in {watch.Elapsed.TotalSeconds:F1} s; " +
            $"{results.Sum(r => r.Rounds):N0} renewal rounds, {results.Sum(r => r.Grants):N0} grants; " +
            $"failovers after losing the forger: n={failovers.Count}, p50={Percentile(failovers, 0.5)} ms, " +
            $"p99={Percentile(failovers, 0.99)} ms, max={failovers.LastOrDefault()} ms (virtual)");
        var unsafeRuns = results.Where(r => !r.Safe).Select(r => r.Violation).Take(5).ToList();
        Assert.True(unsafeRuns.Count == 0, "two forgers (replay with GrantSimulation(seed)):\n" + string.Join("\n", unsafeRuns));
        Assert.NotEmpty(failovers);
    }

    [Fact]
    public void The_checker_finds_two_forgers_when_the_margin_ignores_real_drift()
    {
        // clocks drift up to 9 % but the protocol assumes none and keeps a 1 ms margin: S1 must break somewhere
        var broken = Enumerable.Range(1, 500).AsParallel()
            .Select(seed => new GrantSimulation(seed, assumedDriftPpm: 0, marginMs: 1).Run(VirtualMs))
            .Where(r => !r.Safe).ToList();
        output.WriteLine($"{broken.Count} of 500 seeds found two forgers, e.g. {broken.FirstOrDefault()?.Violation}");
        Assert.NotEmpty(broken);
    }

    [Fact]
    public void A_seed_replays_exactly()
    {
        var a = new GrantSimulation(4242).Run(VirtualMs);
        var b = new GrantSimulation(4242).Run(VirtualMs);
        Assert.Equal(a.FailoverMs.ToArray(), b.FailoverMs.ToArray());
        Assert.Equal((a.Rounds, a.Grants), (b.Rounds, b.Grants));
    }

    private static long Percentile(List<long> sorted, double p) =>
        sorted.Count == 0 ? -1 : sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(p * sorted.Count) - 1)];
}
