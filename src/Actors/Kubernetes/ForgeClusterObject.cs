using System.Collections.Immutable;
using System.Globalization;
using System.Text.Json.Nodes;
using Forge.Decider;

namespace Forge.Kubernetes;

/// <summary>One CardanoForgeCluster resource as the projection sees it: identity, the spec mapped for the decider
/// (raw values; validation is the decider's), and the status last written.</summary>
public sealed record ForgeClusterObject(
    string Name,
    string Uid,
    string ResourceVersion,
    long Generation,
    DateTimeOffset Created,
    string? PoolId,
    ClusterSpec Spec,
    JsonObject RawSpec,
    JsonObject? Status)
{
    /// <summary>Maps a resource's JSON. Unknown or mistyped fields become nulls the decider reports as SpecInvalid.</summary>
    public static ForgeClusterObject FromJson(JsonObject o)
    {
        var meta = o["metadata"] as JsonObject ?? [];
        var spec = o["spec"] as JsonObject ?? [];
        var created = DateTimeOffset.TryParse(Str(meta["creationTimestamp"]), CultureInfo.InvariantCulture,
            DateTimeStyles.AssumeUniversal, out var c) ? c : DateTimeOffset.MinValue;
        return new ForgeClusterObject(
            Str(meta["name"]) ?? "",
            Str(meta["uid"]) ?? "",
            Str(meta["resourceVersion"]) ?? "",
            Long(meta["generation"]) ?? 0,
            created,
            Str((spec["pool"] as JsonObject)?["id"]),
            MapSpec(spec),
            spec,
            o["status"] as JsonObject);
    }

    public static ClusterSpec MapSpec(JsonObject spec)
    {
        var ov = spec["override"] as JsonObject;
        var hc = spec["healthCheck"] as JsonObject;
        return new ClusterSpec(
            Str(spec["region"]),
            Int(spec["priority"]),
            Str(spec["forgeState"]),
            ov is null ? null : new OverrideSpec(
                Bool(ov["enabled"]) ?? false,
                Str(ov["reason"]),
                Str(ov["expiresAt"]),
                Int(ov["forcePriority"]),
                Str(ov["forceState"])),
            hc is null ? null : new HealthCheckSpec(
                Bool(hc["enabled"]) ?? false,
                Str(hc["endpoint"]),
                Str(hc["interval"]),
                Str(hc["timeout"]),
                Int(hc["failureThreshold"]),
                (hc["headers"] as JsonObject)?.Where(kv => kv.Value is JsonValue)
                    .ToImmutableDictionary(kv => kv.Key, kv => kv.Value!.ToString())));
    }

    private static string? Str(JsonNode? n) => n is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;
    private static bool? Bool(JsonNode? n) => n is JsonValue v && v.TryGetValue<bool>(out var b) ? b : null;
    private static long? Long(JsonNode? n) =>
        Number(n) is { } d && d == Math.Floor(d) && Math.Abs(d) < long.MaxValue ? (long)d : null;

    private static int? Int(JsonNode? n) =>
        Number(n) is { } d && d == Math.Floor(d) && Math.Abs(d) <= int.MaxValue ? (int)d : null;

    private static double? Number(JsonNode? n) =>
        n is JsonValue v && v.GetValueKind() == System.Text.Json.JsonValueKind.Number
            && double.TryParse(v.ToJsonString(), NumberStyles.Float, CultureInfo.InvariantCulture, out var d) ? d : null;
}
