using System.Text.Json;

namespace Forge.NodeSide.Tests.Infrastructure;

/// <summary>One line of a stand-in's forge log: a forged slot or an on/off transition, with its CLOCK_MONOTONIC ns.</summary>
internal sealed record ForgeLogLine(long? Slot, string? Event, string Pool, string Node, string At, long Mono);

internal static class ForgeLogFile
{
    public static IReadOnlyList<ForgeLogLine> Read(string path)
    {
        if (!File.Exists(path)) return [];
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        using var reader = new StreamReader(stream);
        var lines = new List<ForgeLogLine>();
        while (reader.ReadLine() is { } line)
        {
            if (!line.EndsWith('}')) continue; // a line being written
            using var doc = JsonDocument.Parse(line);
            var r = doc.RootElement;
            lines.Add(new ForgeLogLine(
                r.TryGetProperty("slot", out var s) ? s.GetInt64() : null,
                r.TryGetProperty("event", out var e) ? e.GetString() : null,
                r.GetProperty("pool").GetString()!,
                r.GetProperty("node").GetString()!,
                r.GetProperty("at").GetString()!,
                r.GetProperty("mono").GetInt64()));
        }
        return lines;
    }

    public static IEnumerable<ForgeLogLine> Events(this IReadOnlyList<ForgeLogLine> lines, string ev) =>
        lines.Where(l => l.Event == ev);

    public static IEnumerable<ForgeLogLine> Slots(this IReadOnlyList<ForgeLogLine> lines) => lines.Where(l => l.Slot is not null);
}
