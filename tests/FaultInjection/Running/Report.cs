using System.Text.Json;
using System.Text.Json.Serialization;

namespace Forge.FaultInjection.Running;

/// <summary>One run of one scenario. <see cref="Problem"/> is set when the run could not inject, or forging never came
/// back, or the logs held nothing to check: such a run is a failure, never a pass.</summary>
public sealed record RunResult(
    string Scenario, int Run, string Target, string? Problem, int DoubleForgedSlots, int Overlaps, double MaxOverlapMs,
    double MaxGapSeconds, double? FailoverSeconds, bool Interrupted, int SlotsChecked, IReadOnlyList<string> Violations,
    IReadOnlyList<string> Anomalies, double? ForgingAfterHealSeconds);

public sealed record ScenarioSummary(
    string Name, string What, int Runs, int Failed, int DoubleForgedSlots, int Overlaps, double MaxGapSeconds,
    double? FailoverP50Seconds, double? FailoverP99Seconds, IReadOnlyList<RunResult> Details, string? Skipped = null);

public sealed record RunReport(
    string Profile, int SlotMs, double GrantTtlSeconds, double PauseSeconds, DateTimeOffset Started, double DurationSeconds,
    string Machine, double? SandboxReadySeconds, string? SandboxProblem, IReadOnlyList<ScenarioSummary> Scenarios,
    int TotalDoubleForgedSlots, int TotalOverlaps, int WholeRunDoubleForgedSlots, int WholeRunOverlaps,
    IReadOnlyDictionary<string, string> NotCovered)
{
    private static readonly JsonSerializerOptions Options = new()
    {
        WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
    };

    public string ToJson() => JsonSerializer.Serialize(this, Options);

    public static ScenarioSummary Summarize(Scenario s, IReadOnlyList<RunResult> runs)
    {
        var failovers = runs.Where(r => r.FailoverSeconds is not null).Select(r => r.FailoverSeconds!.Value).Order().ToList();
        return new ScenarioSummary(s.Name, s.What, runs.Count, runs.Count(r => r.Problem is not null), runs.Sum(r => r.DoubleForgedSlots),
            runs.Sum(r => r.Overlaps), runs.Count == 0 ? 0 : runs.Max(r => r.MaxGapSeconds), Percentile(failovers, 0.50),
            Percentile(failovers, 0.99), runs);
    }

    /// <summary>A scenario this machine cannot run (no root for namespaces, no libfaketime): no runs, the reason. Not a pass.</summary>
    public static ScenarioSummary Skip(Scenario s, string reason) => new(s.Name, s.What, 0, 0, 0, 0, 0, null, null, [], reason);

    /// <summary>Nearest-rank percentile of sorted values (null when there are none).</summary>
    public static double? Percentile(IReadOnlyList<double> sorted, double p) =>
        sorted.Count == 0 ? null : sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Count) - 1, 0, sorted.Count - 1)];
}
