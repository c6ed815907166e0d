using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.RegularExpressions;
using Xunit;
using Xunit.Abstractions;

namespace Forge.Grants.Tests;

/// <summary>
/// Checks model/grant_quorum.pml with spin (Debian package <c>spin</c>, plus gcc): every timeline of issue 3 is safe,
/// every timeline is reachable (its REACH build must fail), and removing each safety rule lets spin find two forgers.
/// Missing tools fail the test loudly: an unchecked model must never look like a passing one.
/// </summary>
public sealed partial class SpinModelTests(ITestOutputHelper output)
{
    private static readonly int[] Timelines = [1, 2, 3, 4, 5, 6, 7, 8];

    /// <summary>Each mutant with the timeline that exposes it.</summary>
    public static TheoryData<string, int> Mutants => new()
    {
        { "NO_MARGIN", 1 },
        { "NO_PREV", 1 },
        { "NO_LIVE", 3 },
        { "NO_INC", 7 },
        { "DUPS", 1 },
        { "JOIN", 6 },
        { "MEMBERS", 8 },
        { "NO_AMNESIA_WAIT", 5 },
    };

    [Fact]
    public void Every_timeline_is_safe()
    {
        var results = RunAll(Timelines.Select(tl => $"-DTL={tl}"), exhaustive: true);
        var failures = results.Where(r => r.Value.Errors != 0).Select(r => $"{r.Key}: {r.Value.Summary}").ToList();
        Assert.True(failures.Count == 0, "spin found two forgers:\n" + string.Join("\n", failures));
    }

    [Fact]
    public void Every_timeline_is_reachable()
    {
        var results = RunAll(Timelines.Select(tl => $"-DTL={tl} -DREACH"));
        var unreached = results.Where(r => !r.Value.AssertionViolated).Select(r => $"{r.Key}: {r.Value.Summary}").ToList();
        Assert.True(unreached.Count == 0, "the model never reaches these timelines:\n" + string.Join("\n", unreached));
    }

    [Fact]
    public void Removing_any_safety_rule_lets_spin_find_two_forgers()
    {
        var flags = Mutants.Select(m => $"-DTL={m[1]} -D{m[0]}").ToList();
        var results = RunAll(flags);
        var missed = results.Where(r => !r.Value.AssertionViolated).Select(r => $"{r.Key}: {r.Value.Summary}").ToList();
        Assert.True(missed.Count == 0, "spin found no violation for these mutants:\n" + string.Join("\n", missed));
    }

    private SortedDictionary<string, SpinResult> RunAll(IEnumerable<string> flagSets, bool exhaustive = false)
    {
        var tools = RequireTools();
        var results = new ConcurrentDictionary<string, SpinResult>();
        Parallel.ForEach(flagSets, new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, Environment.ProcessorCount) },
            flags => results[flags] = Run(tools, flags, exhaustive));
        var sorted = new SortedDictionary<string, SpinResult>(results, StringComparer.Ordinal);
        foreach (var (flags, r) in sorted) output.WriteLine($"{flags,-28} {r.Summary}");
        return sorted;
    }

    private sealed record Tools(string Spin, string Gcc, string Model);

    private static Tools RequireTools()
    {
        var spin = FindOnPath("spin");
        var gcc = FindOnPath("gcc");
        // an explicit failure, never a skip that reads as a pass
        Assert.True(spin is not null, "spin is not installed (Debian package 'spin'): the grant quorum model was NOT checked");
        Assert.True(gcc is not null, "gcc is not installed: spin's verifier cannot be compiled, the model was NOT checked");
        var model = Path.Combine(AppContext.BaseDirectory, "model", "grant_quorum.pml");
        Assert.True(File.Exists(model), $"model not found at {model}");
        return new Tools(spin!, gcc!, model);
    }

    private static SpinResult Run(Tools tools, string flags, bool exhaustive)
    {
        var dir = Directory.CreateTempSubdirectory("grant-quorum-");
        try
        {
            File.Copy(tools.Model, Path.Combine(dir.FullName, "grant_quorum.pml"));
            var watch = Stopwatch.StartNew();
            Exec(tools.Spin, $"-a {flags} grant_quorum.pml", dir.FullName);
            // -DSAFETY: assertions only; hash compaction keeps memory small. Searches that stop at the first violation
            // are tiny, so their verifier is compiled without optimisation (compiling dominates).
            Exec(tools.Gcc, $"{(exhaustive ? "-O2" : "-O0")} -DSAFETY -DNOBOUNDCHECK -DHC4 -o pan pan.c", dir.FullName);
            var text = Exec(Path.Combine(dir.FullName, "pan"), "-m100000", dir.FullName, allowFailure: true);
            return SpinResult.Parse(text, watch.Elapsed);
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    private static string Exec(string file, string args, string cwd, bool allowFailure = false)
    {
        var psi = new ProcessStartInfo(file, args) { WorkingDirectory = cwd, RedirectStandardOutput = true, RedirectStandardError = true };
        using var p = Process.Start(psi) ?? throw new InvalidOperationException($"cannot start {file}");
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(TimeSpan.FromMinutes(5)))
        {
            p.Kill(entireProcessTree: true);
            throw new TimeoutException($"{file} {args} ran longer than 5 minutes");
        }
        var text = stdout.Result + stderr.Result;
        if (p.ExitCode != 0 && !allowFailure) throw new InvalidOperationException($"{file} {args} failed ({p.ExitCode}):\n{text}");
        return text;
    }

    private static string? FindOnPath(string name) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Select(d => Path.Combine(d, name)).FirstOrDefault(File.Exists);

    private sealed partial record SpinResult(int Errors, bool AssertionViolated, long States, TimeSpan Elapsed, string Text)
    {
        public string Summary => $"errors {Errors}, {States:N0} states, {Elapsed.TotalSeconds:F1} s{(AssertionViolated ? ", assertion violated" : "")}";

        public static SpinResult Parse(string text, TimeSpan elapsed)
        {
            var errors = ErrorsLine().Match(text);
            Assert.True(errors.Success, $"spin's verifier printed no result:\n{text}");
            var states = StatesLine().Match(text);
            return new SpinResult(int.Parse(errors.Groups[1].Value), text.Contains("assertion violated", StringComparison.Ordinal),
                states.Success ? long.Parse(states.Groups[1].Value) : -1, elapsed, text);
        }

        [GeneratedRegex(@"errors: (\d+)")]
        private static partial Regex ErrorsLine();

        [GeneratedRegex(@"(\d+) states, stored")]
        private static partial Regex StatesLine();
    }
}
