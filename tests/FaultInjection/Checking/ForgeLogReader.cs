using System.Globalization;
using System.Text.Json;

namespace Forge.FaultInjection.Checking;

/// <summary>One line of a stand-in forge log: a forged slot or an on/off transition; <c>Mono</c> is CLOCK_MONOTONIC ns.</summary>
public sealed record ForgeEntry(string Node, long Mono, long? Slot, string? Event, DateTimeOffset At);

/// <summary>One node's forge log as read: its identity, entries in file order, and lines that could not be used.</summary>
public sealed record NodeForgeLog(string Node, string Path, IReadOnlyList<ForgeEntry> Entries, IReadOnlyList<string> Malformed);

/// <summary>
/// Reads forge logs (<c>{"slot":N,"node":"c/p","at":..,"mono":..}</c> and <c>{"event":"on"|"off",..}</c>, one file
/// per node). A malformed line is reported, never skipped silently — except an unterminated last line, which the
/// stand-in may be writing right now.
/// </summary>
public static class ForgeLogReader
{
    public static NodeForgeLog Read(string path)
    {
        var text = "";
        if (File.Exists(path))
        {
            using var s = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            using var r = new StreamReader(s);
            text = r.ReadToEnd();
        }
        return Parse(text, path);
    }

    public static NodeForgeLog Parse(string text, string path)
    {
        var entries = new List<ForgeEntry>();
        var malformed = new List<string>();
        var lines = text.Split('\n');
        // the last element is "" when the text ends with a newline, else a line still being written
        for (var i = 0; i < lines.Length - 1; i++)
        {
            var line = lines[i].TrimEnd('\r');
            if (line.Length == 0) continue;
            if (TryParse(line) is { } e) entries.Add(e);
            else malformed.Add($"{path}:{i + 1}: {line}");
        }
        var nodes = entries.Select(e => e.Node).Distinct(StringComparer.Ordinal).ToList();
        if (nodes.Count > 1) malformed.Add($"{path}: lines name several nodes ({string.Join(", ", nodes)}); expected one file per node");
        return new NodeForgeLog(nodes.Count == 1 ? nodes[0] : NodeFromPath(path), path, entries, malformed);
    }

    /// <summary><c>.../&lt;cluster&gt;/&lt;pod&gt;/forge.log</c> → <c>cluster/pod</c> (the sandbox's layout).</summary>
    public static string NodeFromPath(string path)
    {
        var dir = new DirectoryInfo(System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(path)) ?? "/");
        return dir.Parent is { } p ? $"{p.Name}/{dir.Name}" : dir.Name;
    }

    private static ForgeEntry? TryParse(string line)
    {
        try
        {
            using var doc = JsonDocument.Parse(line);
            var r = doc.RootElement;
            if (r.ValueKind != JsonValueKind.Object) return null;
            if (!r.TryGetProperty("node", out var node) || node.GetString() is not { Length: > 0 } id) return null;
            if (!r.TryGetProperty("mono", out var mono) || !mono.TryGetInt64(out var m)) return null;
            long? slot = r.TryGetProperty("slot", out var s) && s.TryGetInt64(out var sv) ? sv : null;
            string? ev = r.TryGetProperty("event", out var e) ? e.GetString() : null;
            if (slot is null == (ev is null)) return null; // exactly one of slot / event
            if (ev is not null and not "on" and not "off") return null;
            var at = r.TryGetProperty("at", out var a) && a.GetString() is { } txt
                ? DateTimeOffset.Parse(txt, CultureInfo.InvariantCulture)
                : DateTimeOffset.MinValue;
            return new ForgeEntry(id, m, slot, ev, at);
        }
        catch (Exception ex) when (ex is JsonException or FormatException or InvalidOperationException)
        {
            return null;
        }
    }
}
