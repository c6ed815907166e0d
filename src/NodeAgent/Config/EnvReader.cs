using System.Globalization;

namespace Forge.NodeAgent.Config;

/// <summary>Reads typed values from the environment; every error names the variable, so startup fails legibly.</summary>
internal sealed class EnvReader(IReadOnlyDictionary<string, string> env)
{
    private readonly List<string> _errors = [];

    public IReadOnlyList<string> Errors => _errors;

    public static EnvReader FromProcess()
    {
        var d = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (System.Collections.DictionaryEntry e in Environment.GetEnvironmentVariables())
            d[(string)e.Key] = (string?)e.Value ?? "";
        return new EnvReader(d);
    }

    public string? Optional(string name) => env.TryGetValue(name, out var v) && !string.IsNullOrWhiteSpace(v) ? v.Trim() : null;

    public string Required(string name, string why = "")
    {
        var v = Optional(name);
        if (v is null) _errors.Add($"{name} is required{(why.Length > 0 ? " " + why : "")}");
        return v ?? "";
    }

    public string String(string name, string fallback) => Optional(name) ?? fallback;

    public int Int(string name, int fallback, int min, int max)
    {
        var v = Optional(name);
        if (v is null) return fallback;
        if (int.TryParse(v, NumberStyles.Integer, CultureInfo.InvariantCulture, out var i) && i >= min && i <= max) return i;
        _errors.Add($"{name}='{v}' must be an integer within {min}..{max}");
        return fallback;
    }

    /// <summary>A duration given in milliseconds.</summary>
    public TimeSpan Millis(string name, TimeSpan fallback, TimeSpan min, TimeSpan max)
    {
        var v = Optional(name);
        if (v is null) return fallback;
        if (double.TryParse(v, NumberStyles.Float, CultureInfo.InvariantCulture, out var ms)
            && ms >= min.TotalMilliseconds && ms <= max.TotalMilliseconds)
            return TimeSpan.FromMilliseconds(ms);
        _errors.Add($"{name}='{v}' must be milliseconds within {min.TotalMilliseconds}..{max.TotalMilliseconds}");
        return fallback;
    }

    /// <summary>A duration given in (possibly fractional) seconds, as the anchor's LEASE_* variables are.</summary>
    public TimeSpan Seconds(string name, TimeSpan fallback, TimeSpan min, TimeSpan max)
    {
        var v = Optional(name);
        if (v is null) return fallback;
        if (double.TryParse(v, NumberStyles.Float, CultureInfo.InvariantCulture, out var s)
            && s >= min.TotalSeconds && s <= max.TotalSeconds)
            return TimeSpan.FromSeconds(s);
        _errors.Add($"{name}='{v}' must be seconds within {min.TotalSeconds}..{max.TotalSeconds}");
        return fallback;
    }

    public bool Bool(string name, bool fallback)
    {
        var v = Optional(name);
        if (v is null) return fallback;
        switch (v.ToLowerInvariant())
        {
            case "true" or "1" or "yes": return true;
            case "false" or "0" or "no": return false;
            default:
                _errors.Add($"{name}='{v}' must be true or false");
                return fallback;
        }
    }

    public Uri? Url(string name, string fallback)
    {
        var v = String(name, fallback);
        if (Uri.TryCreate(v, UriKind.Absolute, out var u) && u.Scheme is "http" or "https") return u;
        _errors.Add($"{name}='{v}' must be an http(s) URL");
        return null;
    }

    public void Check(bool ok, string error)
    {
        if (!ok) _errors.Add(error);
    }
}
