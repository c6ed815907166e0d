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

    /// <summary>On-intervals [on, off) of one node (an open interval ends at long.MaxValue).</summary>
    public static List<(long From, long To)> OnIntervals(IReadOnlyList<ForgeLogLine> log)
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
        if (on is { } open) result.Add((open, long.MaxValue));
        return result;
    }
}
