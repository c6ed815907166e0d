using System.Globalization;
using Forge.FaultInjection.Running;

// dotnet run --project tests/FaultInjection -- --profile short|full|bench --report PATH.json [--scenarios a,b] [--runs N]
//   [--slot-ms N] [--grant-ttl-s S] [--seed N] [--settle-s S]
// Exit: 0 all safe and every run recovered; 1 a slot forged twice or on-intervals overlapped; 2 a run failed otherwise
// (sandbox never ready, fault not injectable, no recovery, nothing to check); 64 bad arguments.

var args2 = args.ToList();
string? Opt(string name)
{
    var i = args2.IndexOf(name);
    return i >= 0 && i + 1 < args2.Count ? args2[i + 1] : null;
}

var profile = Opt("--profile") ?? "short";
var reportPath = Opt("--report");
if (profile is not ("short" or "full" or "bench") || reportPath is null || args2.Contains("--help"))
{
    Console.Error.WriteLine("usage: FaultInjection --profile short|full|bench --report PATH.json [--scenarios a,b] [--runs N] [--slot-ms N] " +
                            "[--grant-ttl-s S] [--seed N] [--settle-s S]\nscenarios: " + string.Join(", ", Scenarios.All.Select(s => s.Name)));
    return 64;
}
var names = Opt("--scenarios")?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            ?? (profile switch
            {
                "short" => Scenarios.ShortProfile,
                "bench" => Scenarios.BenchProfile,
                _ => Scenarios.All.Select(s => s.Name).ToList(),
            });
var unknown = names.Where(n => Scenarios.All.All(s => s.Name != n)).ToList();
if (unknown.Count > 0)
{
    Console.Error.WriteLine("unknown scenario(s): " + string.Join(", ", unknown));
    return 64;
}
int Int(string name, int fallback) => Opt(name) is { } v ? int.Parse(v, CultureInfo.InvariantCulture) : fallback;

var options = new RunnerOptions(profile, names, Int("--runs", profile switch { "short" => 1, "bench" => 10, _ => 5 }), Int("--slot-ms", 200),
    TimeSpan.FromSeconds(Int("--grant-ttl-s", 5)), TimeSpan.FromSeconds(Int("--ready-s", 240)), TimeSpan.FromSeconds(Int("--recovery-s", 90)),
    Int("--seed", Environment.TickCount)) { PartialReportPath = reportPath, Settle = TimeSpan.FromSeconds(Int("--settle-s", 10)) };
var report = await new FaultRunner(options, Console.Out).RunAsync();
await File.WriteAllTextAsync(reportPath, report.ToJson());
if (report.SandboxProblem is not null)
{
    Console.WriteLine($"fault-injection: NOTHING CHECKED (report {Path.GetFullPath(reportPath)}): " + report.SandboxProblem);
    return 2;
}
foreach (var s in report.Scenarios.Where(s => s.Skipped is not null))
    Console.WriteLine($"fault-injection: {s.Name} SKIPPED (not run, not passed): {s.Skipped}");
Console.WriteLine($"fault-injection: report {Path.GetFullPath(reportPath)}; double-forged slots {report.TotalDoubleForgedSlots} " +
                  $"(whole run {report.WholeRunDoubleForgedSlots}), overlaps {report.TotalOverlaps} (whole run {report.WholeRunOverlaps})");
if (report.TotalDoubleForgedSlots + report.WholeRunDoubleForgedSlots + report.TotalOverlaps + report.WholeRunOverlaps > 0) return 1;
return report.SandboxProblem is not null || report.Scenarios.Any(s => s.Failed > 0) ? 2 : 0;
