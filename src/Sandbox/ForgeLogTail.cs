using System.Diagnostics;
using System.Text;
using System.Text.Json;

namespace Forge.Sandbox;

/// <summary>Reads the end of a stand-in forge log: is the node forging right now?</summary>
internal static class ForgeLogTail
{
    /// <summary>The last transition is "on" and a slot was forged after it within the last <paramref name="recentMs"/>
    /// (CLOCK_MONOTONIC, the log's <c>mono</c>; .NET's Stopwatch reads the same clock on Linux).</summary>
    public static bool ForgingNow(string path, long recentMs = 5000)
    {
        string tail;
        try
        {
            using var s = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            var start = Math.Max(0, s.Length - 16_384);
            s.Seek(start, SeekOrigin.Begin);
            using var r = new StreamReader(s, Encoding.UTF8);
            tail = r.ReadToEnd();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
        long? lastSlotMono = null;
        foreach (var line in tail.Split('\n').Reverse())
        {
            if (!line.StartsWith('{') || !line.EndsWith('}')) continue;
            try
            {
                using var doc = JsonDocument.Parse(line);
                var root = doc.RootElement;
                var mono = root.GetProperty("mono").GetInt64();
                if (root.TryGetProperty("slot", out _))
                {
                    lastSlotMono ??= mono;
                    continue;
                }
                if (root.TryGetProperty("event", out var ev))
                {
                    return ev.GetString() == "on" && lastSlotMono is { } m
                           && (Stopwatch.GetTimestamp() * (1_000_000_000.0 / Stopwatch.Frequency)) - m < recentMs * 1_000_000.0;
                }
            }
            catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException)
            {
            }
        }
        return false;
    }
}
