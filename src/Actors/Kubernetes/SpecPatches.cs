using System.Text.Json;
using System.Text.Json.Nodes;
using Forge.Decider;

namespace Forge.Kubernetes;

/// <summary>Spec JSON helpers for the projection (pure): canonical comparison and merge patches.</summary>
public static class SpecPatches
{
    /// <summary>Canonical text of the fields the decider reads, for "did the spec change?" comparisons.</summary>
    public static string Canonical(ClusterSpec? s) => s is null ? "null" : JsonSerializer.Serialize(new
    {
        s.Region,
        s.Priority,
        s.ForgeState,
        Override = s.Override is { } o ? new { o.Enabled, o.Reason, o.ExpiresAt, o.ForcePriority, o.ForceState } : null,
        HealthCheck = s.HealthCheck is { } h
            ? new
            {
                h.Enabled, h.Endpoint, h.Interval, h.Timeout, h.FailureThreshold,
                Headers = h.Headers?.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => kv.Key + "=" + kv.Value).ToArray(),
            }
            : null,
    });

    /// <summary>A merge patch that makes a resource's spec say what <paramref name="s"/> says (nulls delete).</summary>
    public static JsonObject MergePatch(ClusterSpec s) => new()
    {
        ["region"] = s.Region,
        ["priority"] = s.Priority,
        ["forgeState"] = s.ForgeState,
        ["override"] = s.Override is { } o
            ? new JsonObject
            {
                ["enabled"] = o.Enabled, ["reason"] = o.Reason, ["expiresAt"] = o.ExpiresAt,
                ["forcePriority"] = o.ForcePriority, ["forceState"] = o.ForceState,
            }
            : null,
        ["healthCheck"] = s.HealthCheck is { } h
            ? new JsonObject
            {
                ["enabled"] = h.Enabled, ["endpoint"] = h.Endpoint, ["interval"] = h.Interval, ["timeout"] = h.Timeout,
                ["failureThreshold"] = h.FailureThreshold,
                ["headers"] = h.Headers is null ? null : new JsonObject(h.Headers.Select(kv => KeyValuePair.Create(kv.Key, (JsonNode?)kv.Value))),
            }
            : null,
    };

    /// <summary>The restore an expiry asks for: override off, and a Disabled forgeState back to Priority-based.</summary>
    public static JsonObject Restore(bool resetDisabledState)
    {
        var patch = new JsonObject { ["override"] = new JsonObject { ["enabled"] = false } };
        if (resetDisabledState) patch["forgeState"] = ForgeStates.PriorityBasedText;
        return patch;
    }
}
