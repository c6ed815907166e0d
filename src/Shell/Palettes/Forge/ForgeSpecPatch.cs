using System.Text.Json.Nodes;
using Forge.Decider;
using Forge.Shell.Commands;

namespace Forge.Shell.Palettes.Forge;

/// <summary>
/// A JSON merge patch of one CardanoForgeCluster's spec, the same fields an operator would patch by hand.
/// <list type="bullet">
/// <item>Override enabled: writes <c>enabled</c>, <c>forceState</c>, <c>reason</c>, and <c>expiresAt</c> (null
/// removes an earlier expiry); <c>forcePriority</c> is left as it is.</item>
/// <item>Override disabled: writes only <c>enabled: false</c>, like the arbiter's own expiry handling.</item>
/// <item><see cref="ForgeState"/>, when set, replaces <c>spec.forgeState</c>.</item>
/// </list>
/// </summary>
public sealed record ForgeSpecPatch(string Cluster, OverridePatch Override, string? ForgeState = null)
{
    /// <summary><c>forge failover</c>: force the target Enabled.</summary>
    public static ForgeSpecPatch Failover(string cluster, string reason, DateTimeOffset? expiresAt) =>
        new(cluster, new OverridePatch(true, reason, ForgeStates.EnabledText, expiresAt));

    /// <summary><c>forge disable</c>: force the cluster Disabled.</summary>
    public static ForgeSpecPatch Disable(string cluster, string reason) =>
        new(cluster, new OverridePatch(true, reason, ForgeStates.DisabledText, null));

    /// <summary><c>forge restore</c>: end the override exactly as its expiry does (RestoreOverride of the decider).</summary>
    public static ForgeSpecPatch Restore(string cluster, bool resetDisabledState) =>
        new(cluster, new OverridePatch(false), resetDisabledState ? ForgeStates.PriorityBasedText : null);

    /// <summary>What the patch does to a spec (the same merge an apiserver performs), for writers without one.</summary>
    public ClusterSpec ApplyTo(ClusterSpec spec)
    {
        var o = spec.Override ?? new OverrideSpec(false);
        o = Override.Enabled
            ? o with
            {
                Enabled = true,
                ForceState = Override.ForceState,
                Reason = Override.Reason,
                ExpiresAt = Override.ExpiresAt is { } at ? HumanTime.Rfc3339(at) : null,
            }
            : o with { Enabled = false };
        return spec with { Override = o, ForgeState = ForgeState ?? spec.ForgeState };
    }

    /// <summary>The merge patch of <c>spec</c> (what <see cref="Forge.Kubernetes.IForgeClusterApi.PatchSpecAsync"/> takes).</summary>
    public JsonObject ToSpecMergePatch()
    {
        var o = new JsonObject { ["enabled"] = Override.Enabled };
        if (Override.Enabled)
        {
            o["forceState"] = Override.ForceState;
            o["reason"] = Override.Reason;
            o["expiresAt"] = Override.ExpiresAt is { } at ? HumanTime.Rfc3339(at) : null;
        }
        var spec = new JsonObject { ["override"] = o };
        if (ForgeState is not null) spec["forgeState"] = ForgeState;
        return spec;
    }

    /// <summary>The body of <c>kubectl patch cardanoforgecluster NAME --type=merge -p</c>.</summary>
    public string ToMergePatchJson() => new JsonObject { ["spec"] = ToSpecMergePatch() }.ToJsonString();
}

/// <summary>The override part of a <see cref="ForgeSpecPatch"/>.</summary>
public sealed record OverridePatch(bool Enabled, string? Reason = null, string? ForceState = null, DateTimeOffset? ExpiresAt = null);
