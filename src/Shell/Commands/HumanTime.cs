using System.Globalization;

namespace Forge.Shell.Commands;

/// <summary>Durations as operators read and type them.</summary>
public static class HumanTime
{
    /// <summary>kubectl's AGE style: <c>45s</c>, <c>5m30s</c>, <c>3h</c>, <c>2d5h</c>, <c>40d</c>.</summary>
    public static string Age(TimeSpan d)
    {
        if (d < TimeSpan.Zero) d = TimeSpan.Zero;
        var s = (long)d.TotalSeconds;
        var m = s / 60;
        var h = m / 60;
        var days = h / 24;
        return s switch
        {
            < 120 => $"{s}s",
            _ when m < 10 => s % 60 == 0 ? $"{m}m" : $"{m}m{s % 60}s",
            _ when m < 180 => $"{m}m",
            _ when h < 8 => m % 60 == 0 ? $"{h}h" : $"{h}h{m % 60}m",
            _ when h < 48 => $"{h}h",
            _ when days < 8 => h % 24 == 0 ? $"{days}d" : $"{days}d{h % 24}h",
            _ when days < 730 => $"{days}d",
            _ => $"{days / 365}y",
        };
    }

    /// <summary>A duration like <c>90s</c>, <c>30m</c>, <c>4h</c>, <c>2d</c> or <c>1h30m</c>.</summary>
    public static bool TryParseDuration(string? text, out TimeSpan duration)
    {
        duration = TimeSpan.Zero;
        if (string.IsNullOrEmpty(text)) return false;
        var i = 0;
        while (i < text.Length)
        {
            var start = i;
            while (i < text.Length && char.IsAsciiDigit(text[i])) i++;
            if (i == start || i == text.Length) return false;
            if (!long.TryParse(text.AsSpan(start, i - start), NumberStyles.None, CultureInfo.InvariantCulture, out var n)) return false;
            TimeSpan unit = text[i++] switch
            {
                's' => TimeSpan.FromSeconds(1),
                'm' => TimeSpan.FromMinutes(1),
                'h' => TimeSpan.FromHours(1),
                'd' => TimeSpan.FromDays(1),
                _ => TimeSpan.MinValue,
            };
            if (unit == TimeSpan.MinValue || n > 100_000) return false;
            duration += unit * n;
        }
        return duration > TimeSpan.Zero;
    }

    /// <summary>An expiry as typed to <c>--expires</c>: an RFC 3339 time with offset, or a duration from now
    /// (<c>4h</c>, <c>+4h</c>). Must lie in the future.</summary>
    public static bool TryParseExpiry(string text, DateTimeOffset now, out DateTimeOffset expiresAt, out string error)
    {
        error = "";
        expiresAt = default;
        if (TryParseDuration(text.TrimStart('+'), out var d))
            expiresAt = now + d;
        else if (text.Contains('T', StringComparison.Ordinal)
                 && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.None, out var at)
                 && (text.EndsWith('Z') || text.LastIndexOfAny(['+', '-']) > text.IndexOf('T', StringComparison.Ordinal)))
            expiresAt = at;
        else
        {
            error = $"--expires '{text}': give an RFC 3339 time with offset (2026-11-27T14:00:00Z) or a duration (4h, 90m, 1h30m)";
            return false;
        }
        if (expiresAt <= now)
        {
            error = $"--expires '{text}' is not in the future";
            return false;
        }
        expiresAt = new DateTimeOffset(expiresAt.UtcDateTime.Ticks - expiresAt.UtcDateTime.Ticks % TimeSpan.TicksPerSecond, TimeSpan.Zero);
        return true;
    }

    public static string Rfc3339(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
}
