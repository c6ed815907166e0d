using System.Globalization;
using Forge.NodeAgent.Core;
using Forge.Protocol;

namespace Forge.NodeAgent.Fence;

/// <summary>
/// Parses the fence's control protocol v1 replies (src/Fence/Control/ControlProtocol.cs):
/// <c>STATUS state=on|off|unknown phase=.. pid=n|- deadline=ns|- request=id|- signal=ok|none|error:.. error=..|- now=ns</c>
/// and <c>EVENT state=.. request=.. at=ns</c>.
/// </summary>
internal static class FenceReplyParser
{
    public static FenceObservation? Parse(string line)
    {
        var isStatus = line.StartsWith("STATUS ", StringComparison.Ordinal);
        if (!isStatus && !line.StartsWith("EVENT ", StringComparison.Ordinal)) return null;
        var f = line.Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1)
            .Select(p => p.Split('=', 2)).Where(kv => kv.Length == 2)
            .GroupBy(kv => kv[0]).ToDictionary(g => g.Key, g => g.First()[1], StringComparer.Ordinal);
        var state = f.GetValueOrDefault("state") switch
        {
            "on" => VerifiedForging.On,
            "off" => VerifiedForging.Off,
            _ => VerifiedForging.Unknown,
        };
        string? Opt(string key) => f.TryGetValue(key, out var v) && v != "-" ? v : null;
        int? pid = int.TryParse(Opt("pid"), NumberStyles.None, CultureInfo.InvariantCulture, out var p) ? p : null;
        return new FenceObservation(
            state,
            Opt("request"),
            isStatus ? pid : null,
            isStatus ? Opt("phase") : null,
            isStatus ? Signal(Opt("signal")) : null,
            isStatus ? Opt("error") : null);
    }

    private static SignalOutcome Signal(string? s) => s switch
    {
        null or "none" => SignalOutcome.None,
        "ok" => SignalOutcome.Verified,
        _ => SignalOutcome.SendFailed, // "error:<why>": no such process, not the fence's live child, EPERM ...
    };
}
