using System.Text.Json;

namespace Forge.Fence.Node;

/// <summary>What the fence reads from the node's JSON log lines.</summary>
internal enum NodeLogEventKind
{
    /// <summary>BasicInfoCommon: traced only after the protocol, and so the credentials, was read.</summary>
    CredentialsRead,
    /// <summary>ChainDB opened: the node kernel is up, SIGHUP now reconfigures block forging.</summary>
    KernelUp,
    ForgingEnabled,
    ForgingDisabled,
    ForgingUpdateError,
}

internal readonly record struct NodeLogEvent(long Seq, NodeLogEventKind Kind);

/// <summary>
/// Classifies node log lines and keeps the interesting ones with a sequence number, so a verification only accepts
/// an event logged after its own SIGHUP (<see cref="Cursor"/> before signalling, <see cref="Find"/> after).
/// </summary>
internal sealed class NodeLogWatcher
{
    private readonly object _gate = new();
    private readonly List<NodeLogEvent> _events = [];
    private long _seq;

    public long Cursor
    {
        get { lock (_gate) return _seq; }
    }

    /// <summary>Called by the stdout reader thread for every line.</summary>
    public void OnLine(string line)
    {
        if (Classify(line) is not { } kind) return;
        lock (_gate)
        {
            _events.Add(new NodeLogEvent(++_seq, kind));
            if (_events.Count > 1024) _events.RemoveRange(0, 512);
        }
    }

    /// <summary>The first event of one of <paramref name="kinds"/> logged after <paramref name="after"/>.</summary>
    public NodeLogEvent? Find(long after, params NodeLogEventKind[] kinds)
    {
        lock (_gate)
        {
            foreach (var e in _events)
            {
                if (e.Seq > after && kinds.Contains(e.Kind)) return e;
            }
            return null;
        }
    }

    public static NodeLogEventKind? Classify(string line)
    {
        if (!line.StartsWith('{')) return null;
        try
        {
            using var doc = JsonDocument.Parse(line);
            if (!doc.RootElement.TryGetProperty("data", out var data) || data.ValueKind != JsonValueKind.Object) return null;
            if (!data.TryGetProperty("kind", out var kindElement)) return null;
            return kindElement.GetString() switch
            {
                "BasicInfoCommon" => NodeLogEventKind.CredentialsRead,
                "TraceOpenEvent.OpenedDB" => NodeLogEventKind.KernelUp,
                "BlockForgingUpdateError" => NodeLogEventKind.ForgingUpdateError,
                "BlockForgingUpdate" => data.TryGetProperty("enabled", out var enabled)
                    ? enabled.GetString() switch
                    {
                        "EnabledBlockForging" => NodeLogEventKind.ForgingEnabled,
                        "DisabledBlockForging" => NodeLogEventKind.ForgingDisabled,
                        _ => null,
                    }
                    : null,
                _ => null,
            };
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
