using System.Globalization;
using System.Text.Json;

namespace Forge.Sandbox.Tests;

/// <summary>One line of a stand-in forge log: a forged slot, or an on/off transition; <c>mono</c> is CLOCK_MONOTONIC ns.</summary>
public sealed record ForgeLine(long? Slot, string? Event, string Node, DateTimeOffset At, long Mono);

/// <summary>An interval during which one node's forging was on (by <c>mono</c>).</summary>
public sealed record OnInterval(string Node, long From, long To);

/// <summary>
/// Checks the forge logs of a whole pool: no slot forged twice (by any nodes), and no two nodes' on-intervals
/// overlap in CLOCK_MONOTONIC time. An "on" is closed by the next "off", or — when the process died or was
/// restarted — by the last line that process wrote (a later "on" of the same node, or the end of the file).
/// </summary>
public static class ForgeLogChecker
{
    public static IReadOnlyList<ForgeLine> Read(string path)
    {
        if (!File.Exists(path)) return [];
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        using var reader = new StreamReader(stream);
        var lines = new List<ForgeLine>();
        while (reader.ReadLine() is { } line)
        {
            if (!line.StartsWith('{') || !line.EndsWith('}')) continue; // a line being written
            using var doc = JsonDocument.Parse(line);
            var r = doc.RootElement;
            lines.Add(new ForgeLine(
                r.TryGetProperty("slot", out var s) ? s.GetInt64() : null,
                r.TryGetProperty("event", out var e) ? e.GetString() : null,
                r.GetProperty("node").GetString()!,
                DateTimeOffset.Parse(r.GetProperty("at").GetString()!, CultureInfo.InvariantCulture),
                r.GetProperty("mono").GetInt64()));
        }
        return lines;
    }

    /// <summary>The on-intervals of one node's log, in order.</summary>
    public static IReadOnlyList<OnInterval> Intervals(IReadOnlyList<ForgeLine> lines)
    {
        var result = new List<OnInterval>();
        long? open = null;
        long last = 0;
        var node = "";
        foreach (var l in lines)
        {
            node = l.Node;
            if (l.Event == "on")
            {
                if (open is { } o) result.Add(new OnInterval(node, o, last)); // restarted without an "off"
                open = l.Mono;
            }
            else if (l.Event == "off" && open is { } o)
            {
                result.Add(new OnInterval(node, o, l.Mono));
                open = null;
            }
            last = l.Mono;
        }
        if (open is { } stillOpen) result.Add(new OnInterval(node, stillOpen, last));
        return result;
    }

    /// <summary>Every violation found across <paramref name="logs"/> (empty = safe).</summary>
    public static IReadOnlyList<string> Violations(IEnumerable<IReadOnlyList<ForgeLine>> logs)
    {
        var all = logs.ToList();
        var problems = new List<string>();
        foreach (var g in all.SelectMany(l => l).Where(l => l.Slot is not null).GroupBy(l => l.Slot!.Value).Where(g => g.Count() > 1))
            problems.Add($"slot {g.Key} forged {g.Count()} times: {string.Join(", ", g.Select(l => $"{l.Node}@{l.At:HH:mm:ss.fff}"))}");
        var intervals = all.SelectMany(Intervals).OrderBy(i => i.From).ToList();
        for (var i = 0; i < intervals.Count; i++)
        {
            for (var j = i + 1; j < intervals.Count && intervals[j].From <= intervals[i].To; j++)
            {
                if (intervals[j].Node == intervals[i].Node) continue;
                problems.Add($"on-intervals overlap by {(Math.Min(intervals[i].To, intervals[j].To) - intervals[j].From) / 1e6:0.###} ms: " +
                             $"{intervals[i].Node} [{intervals[i].From}, {intervals[i].To}] and {intervals[j].Node} [{intervals[j].From}, {intervals[j].To}]");
            }
        }
        return problems;
    }

    public static IReadOnlyList<string> Violations(IEnumerable<string> paths) => Violations(paths.Select(Read));
}
