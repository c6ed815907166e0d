using Forge.Decider;

namespace Forge.Kubernetes;

/// <summary>Kubernetes Events to record when a cluster's verdict changes (pure).</summary>
public static class TransitionEvents
{
    public sealed record KubeEvent(string Type, string Reason, string Message);

    public static IReadOnlyList<KubeEvent> Between(ClusterVerdict? before, ClusterVerdict after, string transition)
    {
        var events = new List<KubeEvent>();
        bool Rose(string type) => after.Condition(type)?.Status == "True" && before?.Condition(type)?.Status != "True";
        if (Rose(ConditionTypes.Forging))
            events.Add(new("Normal", "ForgingMoved", $"forging moved to {after.ActiveLeader?.ToString() ?? after.Name}: {transition}"));
        else if (before?.Condition(ConditionTypes.Forging)?.Status == "True" && after.Condition(ConditionTypes.Forging)?.Status != "True")
            events.Add(new("Normal", "ForgingMoved", $"forging left {after.Name}: {transition}"));
        if (Rose(ConditionTypes.Conflict))
            events.Add(new("Warning", "Conflict", after.Condition(ConditionTypes.Conflict)!.Message));
        if (Rose(ConditionTypes.SpecInvalid))
            events.Add(new("Warning", "SpecInvalid", after.Condition(ConditionTypes.SpecInvalid)!.Message));
        if (Rose(ConditionTypes.FailbackPending))
            events.Add(new("Normal", "FailbackPending", after.Condition(ConditionTypes.FailbackPending)!.Message));
        if (before is not null && before.Healthy && !after.Healthy)
            events.Add(new("Warning", "Unhealthy", after.Condition(ConditionTypes.Healthy)?.Message ?? "health checks failing"));
        return events;
    }
}
