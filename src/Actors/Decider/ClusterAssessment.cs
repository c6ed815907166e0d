using System.Collections.Immutable;
using Forge.Protocol;

namespace Forge.Decider;

/// <summary>One cluster's facts for this decision: validity, effective state and priority, health, eligibility.</summary>
internal sealed record ClusterAssessment(
    ClusterInput Input,
    ValidSpec? Spec,
    string? SpecError,
    ForgeState EffectiveState,
    int? EffectivePriority,
    bool OverrideActive,
    RestoreOverride? Restore,
    bool Healthy,
    ImmutableArray<NodeInput> EligibleNodes)
{
    public string Name => Input.Name;
    public bool Valid => Spec is not null;
    public bool Eligible => Valid && EffectiveState != ForgeState.Disabled && !EligibleNodes.IsEmpty;

    public SpecKey Key => new(Valid, EffectiveState, EffectivePriority ?? 0, Spec?.HealthGating ?? false, OverrideActive);

    public static ClusterAssessment Of(ClusterInput input, DateTimeOffset wallNow)
    {
        var eligibleNodes = input.Nodes.Where(n => n.Eligible).ToImmutableArray();
        if (!SpecValidation.TryValidate(input.Spec, out var spec, out var error))
            return new(input, null, error, ForgeState.Disabled, input.Spec?.Priority, false, null, true, eligibleNodes);

        var expired = spec.OverrideEnabled && spec.OverrideExpiresAt is { } at && at <= wallNow;
        var active = spec.OverrideEnabled && !expired;
        RestoreOverride? restore = null;
        var baseState = spec.ForgeState;
        if (expired)
        {
            // Expiry restores priority-based operation now, whether or not the projection has written it yet.
            var resetDisabled = spec.ForgeState == ForgeState.Disabled;
            restore = new RestoreOverride(input.Name, spec.OverrideExpiresAt!.Value, resetDisabled,
                $"override '{spec.OverrideReason}' expired at {spec.OverrideExpiresAt:O}");
            if (resetDisabled) baseState = ForgeState.PriorityBased;
        }
        var state = active ? spec.ForceState ?? spec.ForgeState : baseState;
        var priority = active ? spec.ForcePriority ?? spec.Priority : spec.Priority;
        var healthy = !spec.HealthGating || input.Health.ConsecutiveFailures < spec.FailureThreshold;
        return new(input, spec, null, state, priority, active, restore, healthy, eligibleNodes);
    }

    /// <summary>The node of this cluster that should forge: the holder if still eligible, else the highest tip,
    /// then the lowest identity.</summary>
    public NodeId PickNode(NodeId? holder) =>
        holder is { } h && EligibleNodes.Any(n => n.Id == h)
            ? h
            : EligibleNodes.OrderByDescending(n => n.TipSlot).ThenBy(n => n.Id).First().Id;
}
