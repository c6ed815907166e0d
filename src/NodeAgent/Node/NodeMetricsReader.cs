using System.Globalization;

namespace Forge.NodeAgent.Node;

/// <summary>
/// Reads the node's health from its Prometheus endpoint: tip (<c>cardano_node_metrics_slotNum_int</c>), KES periods left
/// (<c>remainingKESPeriods</c>) and the forging metric (untrusted alone: wrong after a non-producing start). The current
/// slot comes from the stand-in's <c>cardano_node_standin_current_slot</c> when exported, else from the wall clock and
/// the network's slot parameters (the wall clock only feeds "synced", never a safety decision).
/// </summary>
internal sealed class NodeMetricsReader(Uri url, long slotZeroUnixMs, long slotLengthMs) : IDisposable
{
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromMilliseconds(800) };

    public async Task<NodeObservation> ReadAsync(CancellationToken ct)
    {
        try
        {
            var text = await _http.GetStringAsync(url, ct);
            return Parse(text, WallClockSlot());
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or IOException)
        {
            return NodeObservation.Down;
        }
    }

    public long WallClockSlot() =>
        slotLengthMs <= 0 ? -1 : (DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() - slotZeroUnixMs) / slotLengthMs;

    public static NodeObservation Parse(string text, long wallClockSlot)
    {
        long? tip = null, current = null, kes = null, forging = null;
        foreach (var raw in text.Split('\n'))
        {
            if (raw.Length == 0 || raw[0] == '#') continue;
            var space = raw.LastIndexOf(' ');
            if (space <= 0 || !double.TryParse(raw[(space + 1)..], NumberStyles.Float, CultureInfo.InvariantCulture, out var v)) continue;
            var name = raw[..space];
            var brace = name.IndexOf('{', StringComparison.Ordinal);
            if (brace >= 0) name = name[..brace];
            switch (name)
            {
                case "cardano_node_metrics_slotNum_int": tip = (long)v; break;
                case "cardano_node_standin_current_slot": current = (long)v; break;
                case "cardano_node_metrics_remainingKESPeriods_int": kes = (long)v; break;
                case "cardano_node_metrics_forging_enabled": forging = (long)v; break;
            }
        }
        return new NodeObservation(true, tip ?? -1, current ?? wallClockSlot, kes is { } k ? (int)k : null,
            forging is { } f ? f != 0 : null);
    }

    public void Dispose() => _http.Dispose();
}
