using System.Globalization;

namespace Forge.Transport;

/// <summary>A coordinator's agent gateway address, <c>host:port</c> (IPv6 literals in brackets).</summary>
public sealed record CoordinatorEndpoint(string Host, int Port)
{
    public override string ToString() => Host.Contains(':', StringComparison.Ordinal) ? $"[{Host}]:{Port}" : $"{Host}:{Port}";

    public static bool TryParse(string? text, out CoordinatorEndpoint endpoint, out string error)
    {
        endpoint = new CoordinatorEndpoint("", 0);
        error = "";
        text = text?.Trim();
        var colon = text?.LastIndexOf(':') ?? -1;
        if (string.IsNullOrEmpty(text) || colon <= 0 || colon == text.Length - 1)
        {
            error = $"'{text}' is not host:port";
            return false;
        }
        var host = text[..colon];
        if (host.StartsWith('[') && host.EndsWith(']')) host = host[1..^1];
        if (!int.TryParse(text[(colon + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var port) || port is < 1 or > 65535)
        {
            error = $"'{text}' has no valid port";
            return false;
        }
        endpoint = new CoordinatorEndpoint(host, port);
        return true;
    }

    /// <summary>Parses a comma- or space-separated list, keeping its order (the agent's region first).</summary>
    public static IReadOnlyList<CoordinatorEndpoint> ParseList(string text)
    {
        var list = new List<CoordinatorEndpoint>();
        foreach (var part in text.Split([',', ' ', ';'], StringSplitOptions.RemoveEmptyEntries))
        {
            if (!TryParse(part, out var ep, out var error)) throw new FormatException(error);
            list.Add(ep);
        }
        if (list.Count == 0) throw new FormatException("no coordinator endpoints");
        return list;
    }
}
