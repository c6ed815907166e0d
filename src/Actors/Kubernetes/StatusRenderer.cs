using System.Text.Json.Nodes;
using Forge.Arbiter;
using Forge.Decider;
using Forge.Protocol;

namespace Forge.Kubernetes;

/// <summary>
/// Renders a CardanoForgeCluster's status from the arbiter's pool state (pure). <c>activeLeader</c> and
/// <c>forgingEnabled</c> show verified forging only: the pod whose agent proved its node forges.
/// </summary>
public static class StatusRenderer
{
    public const string UnknownState = "Unknown";

    /// <param name="pending">A local edit the arbiter has not yet decided on (or cannot be reached to).</param>
    public static JsonObject Render(ClusterVerdict verdict, PoolState pool, long observedGeneration, bool pending, string? rbacProblem)
    {
        var leader = pool.Nodes
            .Where(n => n.Node.Cluster == verdict.Name && n.Forging == VerifiedForging.On && n.Alive)
            .Select(n => n.Node.Pod)
            .OrderBy(p => p, StringComparer.Ordinal)
            .FirstOrDefault();
        var forging = verdict.Condition(ConditionTypes.Forging);
        var healthy = verdict.Condition(ConditionTypes.Healthy);
        var conditions = new JsonArray();
        foreach (var c in verdict.Conditions) conditions.Add(Condition(c.Type, c.Status, c.Reason, c.Message, c.LastTransitionTime, observedGeneration));
        conditions.Add(Condition("SpecApplied", pending ? "False" : "True", pending ? "Pending" : "Applied",
            pending ? "an edit of this resource is not yet applied by the arbiter" : "the arbiter decided on this spec",
            pool.DecidedAt, observedGeneration));
        if (rbacProblem is not null)
            conditions.Add(Condition("PermissionsMissing", "True", "Forbidden", rbacProblem, pool.DecidedAt, observedGeneration));
        return new JsonObject
        {
            ["effectiveState"] = verdict.EffectiveState,
            ["effectivePriority"] = verdict.EffectivePriority,
            ["activeLeader"] = leader ?? "",
            ["forgingEnabled"] = leader is not null,
            ["healthStatus"] = new JsonObject
            {
                ["healthy"] = verdict.Healthy,
                ["lastProbeTime"] = verdict.Health.LastProbe?.ToString("yyyy-MM-ddTHH:mm:ssZ"),
                ["consecutiveFailures"] = verdict.Health.ConsecutiveFailures,
                ["message"] = healthy?.Message ?? "",
            },
            ["lastTransition"] = Time(forging?.LastTransitionTime ?? pool.DecidedAt),
            ["reason"] = verdict.Reason,
            ["message"] = verdict.Message,
            ["conditions"] = conditions,
            ["observedGeneration"] = observedGeneration,
        };
    }

    /// <summary>What a region that cannot reach the arbiter shows: Unknown, never stale truth.</summary>
    public static JsonObject RenderUnknown(string why, DateTimeOffset since, long observedGeneration, JsonObject? previous)
    {
        var conditions = new JsonArray
        {
            Condition(ConditionTypes.Forging, "Unknown", "ArbiterUnreachable", why, since, observedGeneration),
            Condition("SpecApplied", "False", "Pending", "the arbiter cannot be reached; edits wait", since, observedGeneration),
        };
        return new JsonObject
        {
            ["effectiveState"] = UnknownState,
            ["effectivePriority"] = previous?["effectivePriority"]?.DeepClone(),
            ["activeLeader"] = "",
            ["forgingEnabled"] = false,
            ["healthStatus"] = new JsonObject { ["healthy"] = null, ["message"] = "unknown: " + why },
            ["lastTransition"] = previous?["lastTransition"]?.DeepClone() ?? Time(since),
            ["reason"] = "ArbiterUnreachable",
            ["message"] = why,
            ["conditions"] = conditions,
            ["observedGeneration"] = previous?["observedGeneration"]?.DeepClone(),
        };
    }

    /// <summary>Kubernetes' convention: a condition's <c>lastTransitionTime</c> moves only when its status changes. The
    /// renderer stamps times from the decision, which is re-made every resync; without this every resync rewrote the
    /// status (one write per cluster every 2 s instead of at most one per five minutes in steady state).</summary>
    public static JsonObject KeepTransitionTimes(JsonObject next, JsonObject? previous)
    {
        if (previous?["conditions"] is not JsonArray before || next["conditions"] is not JsonArray after) return next;
        var kept = false;
        foreach (var c in after.OfType<JsonObject>())
        {
            var old = before.OfType<JsonObject>().FirstOrDefault(b => Text(b["type"]) == Text(c["type"]));
            if (old is null || Text(old["status"]) != Text(c["status"]) || old["lastTransitionTime"] is null) continue;
            c["lastTransitionTime"] = old["lastTransitionTime"]!.DeepClone();
            kept = true;
        }
        // The top-level lastTransition mirrors the Forging condition's.
        if (kept && after.OfType<JsonObject>().FirstOrDefault(c => Text(c["type"]) == ConditionTypes.Forging) is { } forging)
            next["lastTransition"] = forging["lastTransitionTime"]!.DeepClone();
        return next;
    }

    private static string? Text(JsonNode? n) => n is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;

    /// <summary>True when <paramref name="next"/> differs from <paramref name="written"/> in anything but
    /// <c>healthStatus.lastProbeTime</c>, which alone is written at most every <paramref name="probeRefresh"/>.</summary>
    public static bool NeedsWrite(JsonObject next, JsonObject? written, TimeSpan sinceLastWrite, TimeSpan probeRefresh)
    {
        if (written is null) return true;
        if (!JsonNode.DeepEquals(WithoutProbeTime(next), WithoutProbeTime(written))) return true;
        return sinceLastWrite >= probeRefresh
            && !JsonNode.DeepEquals(next["healthStatus"]?["lastProbeTime"], written["healthStatus"]?["lastProbeTime"]);
    }

    private static JsonObject WithoutProbeTime(JsonObject status)
    {
        var copy = status.DeepClone().AsObject();
        (copy["healthStatus"] as JsonObject)?.Remove("lastProbeTime");
        return copy;
    }

    private static JsonObject Condition(string type, string status, string reason, string message, DateTimeOffset at, long generation) => new()
    {
        ["type"] = type,
        ["status"] = status,
        ["reason"] = reason,
        ["message"] = message,
        ["lastTransitionTime"] = Time(at),
        ["observedGeneration"] = generation,
    };

    private static string Time(DateTimeOffset t) => t.ToUniversalTime().ToString("yyyy-MM-ddTHH:mm:ssZ");
}
