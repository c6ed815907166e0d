using System.Text.Json;

namespace Forge.NodeAgent.Tests.Infrastructure;

/// <summary>A stand-in forge log line: a forged slot, or an on/off transition; Mono = CLOCK_MONOTONIC ns.</summary>
internal sealed record ForgeLogLine(long? Slot, string? Event, string Node, long Mono);

internal static class ForgeLog
{
    public static IReadOnlyList<ForgeLogLine> Read(string path)
    {
        if (!File.Exists(path)) return [];
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        using var reader = new StreamReader(stream);
        var lines = new List<ForgeLogLine>();
        while (reader.ReadLine() is { } line)
        {
            if (!line.EndsWith('}')) continue;
            var e = JsonDocument.Parse(line).RootElement;
            lines.Add(new ForgeLogLine(
                e.TryGetProperty("slot", out var s) ? s.GetInt64() : null,
                e.TryGetProperty("event", out var ev) ? ev.GetString() : null,
                e.GetProperty("node").GetString() ?? "",
                e.GetProperty("mono").GetInt64()));
        }
        return lines;
    }

    public static IEnumerable<ForgeLogLine> Events(this IReadOnlyList<ForgeLogLine> log, string kind) =>
        log.Where(l => l.Event == kind);

    /// <summary>When the fence killed its node (CLOCK_MONOTONIC ns from its "node killed" line), or null: a node killed
    /// because its disable was not verified within the bound writes no "off" line, and cannot forge after this.</summary>
    public static long? KilledAt(IEnumerable<string> fenceOutput) => fenceOutput
        .Where(l => l.Contains("\"msg\":\"node killed\"", StringComparison.Ordinal))
        .Select(l => JsonDocument.Parse(l[(l.IndexOf('{', StringComparison.Ordinal))..]).RootElement.GetProperty("mono").GetString())
        .Select(m => (long?)long.Parse(m!, System.Globalization.CultureInfo.InvariantCulture)).FirstOrDefault();

    /// <summary>On-intervals [on, off) of one node; an interval still open ends at <paramref name="killedAt"/> when the
    /// fence killed the node, else at long.MaxValue.</summary>
    public static List<(long From, long To)> OnIntervals(IReadOnlyList<ForgeLogLine> log, long? killedAt = null)
    {
        var result = new List<(long, long)>();
        long? on = null;
        foreach (var l in log)
        {
            if (l.Event == "on") on ??= l.Mono;
            if (l.Event == "off" && on is { } from)
            {
                result.Add((from, l.Mono));
                on = null;
            }
        }
        if (on is { } open) result.Add((open, killedAt is { } k && k >= open ? k : long.MaxValue));
        return result;
    }
}
