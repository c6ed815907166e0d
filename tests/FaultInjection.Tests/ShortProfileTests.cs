using Forge.FaultInjection.Running;
using Xunit.Abstractions;

namespace Forge.FaultInjection.Tests;

/// <summary>
/// The short fault-injection profile on one real sandbox (./test.sh runs it): kill -9 of the forging node and of its
/// agent, SIGSTOP of the forging agent past the grant TTL, kill -9 of a coordinator, one operator-chaos patch, the
/// forger's region partitioned from the others past the grant TTL (with a namespace per region; skipped, and said so in
/// the output, when not root). Zero
/// double-forged slots and no overlapping on-intervals, and forging stable again within <see cref="FailoverBound"/>
/// after each fault. A sandbox that cannot forge, or a run that cannot recover, fails here with the runner's words.
/// </summary>
public sealed class ShortProfileTests(ITestOutputHelper output)
{
    /// <summary>The target is p99 ≤ 6 s with production settings on a quiet machine; this bound is for a 2-core CI
    /// machine running the sandbox's 19 processes (grant TTL 5 s + its margin + restart and scheduling slack). For the
    /// partition it counts from the heal.</summary>
    public static readonly TimeSpan FailoverBound = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Short_profile_never_forges_a_slot_twice_and_recovers_from_every_fault()
    {
        var writer = new StringWriter();
        var options = new RunnerOptions("short", Scenarios.ShortProfile, 1, 200, TimeSpan.FromSeconds(5),
            ReadyLimit: TimeSpan.FromSeconds(240), RecoveryLimit: TimeSpan.FromSeconds(60), Seed: 8);
        RunReport report;
        try
        {
            report = await new FaultRunner(options, writer).RunAsync();
        }
        finally
        {
            output.WriteLine(writer.ToString());
        }
        var json = report.ToJson();
        output.WriteLine(json);
        Assert.True(report.SandboxProblem is null, "the sandbox cannot fail over: " + report.SandboxProblem);
        Assert.Equal(Scenarios.ShortProfile, report.Scenarios.Select(s => s.Name));
        Assert.True(report.TotalDoubleForgedSlots == 0 && report.WholeRunDoubleForgedSlots == 0,
            $"slots forged twice: {report.TotalDoubleForgedSlots} in scenario windows, {report.WholeRunDoubleForgedSlots} over the whole run\n{writer}");
        Assert.True(report.TotalOverlaps == 0 && report.WholeRunOverlaps == 0, $"overlapping on-intervals\n{writer}");
        foreach (var s in report.Scenarios.Where(s => s.Skipped is not null))
            output.WriteLine($"SKIPPED, not passed: {s.Name}: {s.Skipped}"); // e.g. partitions without root
        foreach (var s in report.Scenarios.Where(s => s.Skipped is null))
        {
            var run = Assert.Single(s.Details);
            Assert.True(run.Problem is null, $"{s.Name}: {run.Problem}\n{writer}");
            Assert.True(run.SlotsChecked > 0, $"{s.Name}: nothing was checked");
            // a held fault (the partition) may keep forging away for its whole hold when the majority cannot take over in
            // time: the bound is then from its end (the heal) to the next forged slot
            var (resumed, from) = run.ForgingAfterHealSeconds is { } afterHeal ? (afterHeal, "the heal") : (run.FailoverSeconds, "the fault");
            Assert.True(resumed <= FailoverBound.TotalSeconds,
                $"{s.Name}: forging resumed {resumed:0.0} s after {from}, bound {FailoverBound.TotalSeconds} s");
        }
    }
}
