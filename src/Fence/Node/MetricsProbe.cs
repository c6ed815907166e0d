using System.Globalization;

namespace Forge.Fence.Node;

/// <summary>Reads <c>cardano_node_metrics_forging_enabled</c> from the node's Prometheus endpoint, synchronously and
/// with a short timeout, from the fence thread (no thread-pool dependence for the answer).</summary>
internal sealed class MetricsProbe(Uri? url) : IDisposable
{
    private const string Series = "cardano_node_metrics_forging_enabled";
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromMilliseconds(300) };

    public bool Configured => url is not null;

    /// <summary>The metric's value, or null when the endpoint cannot be read.</summary>
    public bool? ForgingEnabled()
    {
        if (url is null) return null;
        try
        {
            using var response = _http.Send(new HttpRequestMessage(HttpMethod.Get, url));
            if (!response.IsSuccessStatusCode) return null;
            using var reader = new StreamReader(response.Content.ReadAsStream());
            return Parse(reader.ReadToEnd());
        }
        catch (Exception e) when (e is HttpRequestException or OperationCanceledException or IOException or
                                       InvalidOperationException or System.Net.Sockets.SocketException)
        {
            return null; // unreadable metrics are no evidence either way
        }
    }

    public static bool? Parse(string text)
    {
        foreach (var line in text.Split('\n'))
        {
            if (!line.StartsWith(Series, StringComparison.Ordinal)) continue;
            var rest = line[Series.Length..];
            if (rest.Length > 0 && rest[0] != ' ' && rest[0] != '{') continue;
            var value = rest[(rest.LastIndexOf(' ') + 1)..];
            return double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) ? v != 0 : null;
        }
        return null;
    }

    public void Dispose() => _http.Dispose();
}
