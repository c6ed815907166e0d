using System.Collections.Immutable;
using Forge.Protocol;

namespace Forge.Decider;

/// <summary>
/// Decides, for one pool, which node should forge. Pure: a function of the previous state, the inputs and now.
/// The rules are written out in README.md ("Forging semantics"); in short:
/// eligible = not Disabled, valid spec, an alive + synced node with current credentials; Enabled beats
/// Priority-based; then healthy first, lowest effective priority, the current holder, earliest first-seen, name.
/// Spec changes and an ineligible or unhealthy holder move forging at once; a cluster that became best only by
/// recovering waits out the failback delay (doubling per recovery within the flap window, capped).
/// </summary>
public static class ForgeDecider
{
    /// <summary>The verdict reason of a cluster that is valid and not Disabled but has no eligible node (alive, synced,
    /// current credentials) at the moment of the decision: the only reason newer node views can overturn.</summary>
    public const string NoEligibleNodeReason = "NoEligibleNode";

    public static ForgeDecision Decide(DeciderState previous, DeciderInputs inputs, DeciderNow now, DeciderSettings settings)
    {
        var clusters = inputs.Clusters
            .GroupBy(c => c.Name, StringComparer.Ordinal).Select(g => g.First()) // a name appears once
            .OrderBy(c => c.Name, StringComparer.Ordinal)
            .Select(c => ClusterAssessment.Of(c, now.Wall))
            .ToImmutableArray();
        var byName = clusters.ToImmutableDictionary(c => c.Name, StringComparer.Ordinal);

        var holder = previous.Holder;
        var holderCluster = holder is { } h && byName.TryGetValue(h.Cluster, out var hc) ? hc : null;
        var holderEligible = holderCluster is { Eligible: true } && holderCluster.EligibleNodes.Any(n => n.Id == holder);

        var best = Rank(clusters, holderCluster?.Name).FirstOrDefault();
        var choice = Choose(previous, now, settings, best, holderCluster, holderEligible, byName);
        var target = choice.Cluster?.PickNode(holder);

        var enabled = clusters.Where(c => c.Valid && c.EffectiveState == ForgeState.Enabled).ToList();
        var verdicts = clusters.Select(c => Verdict(c, previous, now, choice, target, enabled)).ToImmutableArray();

        var next = new DeciderState(
            target,
            clusters.ToImmutableDictionary(c => c.Name, c => c.Key, StringComparer.Ordinal),
            choice.FailbackCandidate,
            choice.FailbackSince,
            choice.FailbackDelay,
            choice.Recoveries,
            verdicts.ToImmutableDictionary(v => v.Name, v => v.Conditions, StringComparer.Ordinal))
        {
            EverEligible = previous.EverEligible.Union(clusters.Where(c => c.Eligible).Select(c => c.Name)),
        };

        var actions = clusters.Where(c => c.Restore is not null).Select(c => (DeciderAction)c.Restore!).ToImmutableArray();
        return new ForgeDecision(target, target != holder, choice.Transition, actions, verdicts, next);
    }

    /// <summary>Eligible clusters best first. Enabled ones win over Priority-based ones (never more than one winner).</summary>
    private static IEnumerable<ClusterAssessment> Rank(ImmutableArray<ClusterAssessment> clusters, string? holderCluster)
    {
        var eligible = clusters.Where(c => c.Eligible).ToList();
        var pool = eligible.Any(c => c.EffectiveState == ForgeState.Enabled)
            ? eligible.Where(c => c.EffectiveState == ForgeState.Enabled)
            : eligible;
        return pool
            .OrderBy(c => c.Healthy ? 0 : 1)
            .ThenBy(c => c.EffectivePriority)
            .ThenBy(c => c.Name == holderCluster ? 0 : 1)
            .ThenBy(c => c.Input.FirstSeen)
            .ThenBy(c => c.Name, StringComparer.Ordinal);
    }

    private sealed record Choice(
        ClusterAssessment? Cluster,
        string Transition,
        string? FailbackCandidate,
        TimeSpan FailbackSince,
        TimeSpan FailbackDelay,
        ImmutableDictionary<string, ImmutableArray<TimeSpan>> Recoveries);

    private static Choice Choose(
        DeciderState prev, DeciderNow now, DeciderSettings settings, ClusterAssessment? best,
        ClusterAssessment? holderCluster, bool holderEligible, ImmutableDictionary<string, ClusterAssessment> byName)
    {
        var recoveries = Prune(prev.Recoveries, now.Monotonic - settings.FlapWindow, byName);
        Choice Now(ClusterAssessment? c, string why) => new(c, why, null, TimeSpan.Zero, TimeSpan.Zero, recoveries);

        if (best is null) return Now(null, "no eligible cluster");
        if (prev.Holder is null) return Now(best, "no forger");
        if (!holderEligible)
            return Now(best, holderCluster is null ? $"{prev.Holder} left the election" : $"{prev.Holder} is no longer eligible");
        if (best.Name == holderCluster!.Name) return Now(best, "holder kept");

        if (SpecChanged(prev, best) || SpecChanged(prev, holderCluster))
            return Now(best, $"spec change: {best.Name} outranks {holderCluster.Name}");
        if (!holderCluster.Healthy && best.Healthy)
            return Now(best, $"{holderCluster.Name} is unhealthy");
        if (prev.SpecKeys.Count > 0 && !prev.EverEligible.Contains(best.Name))
            return Now(best, $"{best.Name} became eligible for the first time");

        // best outranks the holder only because it recovered (health or readiness): wait before failing back.
        if (prev.FailbackCandidate == best.Name)
        {
            if (now.Monotonic - prev.FailbackSince >= prev.FailbackDelay)
                return Now(best, $"failback: {best.Name} stable for {prev.FailbackDelay.TotalSeconds:0}s");
            return new(holderCluster, "failback pending", best.Name, prev.FailbackSince, prev.FailbackDelay, recoveries);
        }
        var times = recoveries.GetValueOrDefault(best.Name, []).Add(now.Monotonic);
        var delay = FailbackDelay(settings, times.Length);
        return new(holderCluster, "failback pending", best.Name, now.Monotonic, delay, recoveries.SetItem(best.Name, times));
    }

    private static bool SpecChanged(DeciderState prev, ClusterAssessment c) =>
        prev.SpecKeys.Count > 0 && (!prev.SpecKeys.TryGetValue(c.Name, out var key) || key != c.Key);

    /// <summary>Doubles per recovery within the flap window: base, 2×base, 4×base … capped.</summary>
    private static TimeSpan FailbackDelay(DeciderSettings s, int recoveriesInWindow)
    {
        var factor = Math.Pow(2, Math.Min(recoveriesInWindow - 1, 30));
        var ticks = Math.Min(s.FailbackDelay.Ticks * factor, s.FailbackDelayMax.Ticks);
        return TimeSpan.FromTicks((long)ticks);
    }

    private static ImmutableDictionary<string, ImmutableArray<TimeSpan>> Prune(
        ImmutableDictionary<string, ImmutableArray<TimeSpan>> recoveries, TimeSpan horizon,
        ImmutableDictionary<string, ClusterAssessment> present)
    {
        var b = ImmutableDictionary.CreateBuilder<string, ImmutableArray<TimeSpan>>(StringComparer.Ordinal);
        foreach (var (name, times) in recoveries)
        {
            if (!present.ContainsKey(name)) continue;
            var kept = times.Where(t => t > horizon).ToImmutableArray();
            if (!kept.IsEmpty) b[name] = kept;
        }
        return b.ToImmutable();
    }

    private static ClusterVerdict Verdict(
        ClusterAssessment c, DeciderState prev, DeciderNow now, Choice choice, NodeId? target,
        List<ClusterAssessment> enabled)
    {
        var forging = target is { } t && t.Cluster == c.Name;
        var winner = choice.Cluster?.Name;
        var conflict = enabled.Count > 1 && c.Valid && c.EffectiveState == ForgeState.Enabled && !forging;
        var pending = choice.FailbackCandidate == c.Name;
        var (reason, message) = Explain(c, forging, target, winner, conflict, pending, choice);

        var old = prev.Conditions.GetValueOrDefault(c.Name, []);
        ClusterCondition Cond(string type, bool status, string why, string text)
        {
            var s = status ? "True" : "False";
            var before = old.FirstOrDefault(x => x.Type == type);
            var since = before is not null && before.Status == s ? before.LastTransitionTime : now.Wall;
            return new ClusterCondition(type, s, why, text, since);
        }

        var conditions = ImmutableArray.Create(
            Cond(ConditionTypes.Forging, forging, forging ? "Forging" : "NotForging",
                forging ? $"{target} forges" : winner is null ? "no cluster forges" : $"{winner} forges"),
            Cond(ConditionTypes.Eligible, c.Eligible, c.Eligible ? "Eligible" : reason,
                c.Eligible ? $"{c.EligibleNodes.Length} eligible node(s)" : message),
            Cond(ConditionTypes.Healthy, c.Healthy, c.Healthy ? "Healthy" : "HealthCheckFailing",
                HealthText(c)),
            Cond(ConditionTypes.OverrideActive, c.OverrideActive, c.OverrideActive ? "OverrideActive" : "NoOverride",
                c.OverrideActive ? c.Spec!.OverrideReason ?? "" : ""),
            Cond(ConditionTypes.SpecInvalid, !c.Valid, c.Valid ? "SpecValid" : "SpecInvalid", c.SpecError ?? ""),
            Cond(ConditionTypes.Conflict, conflict, conflict ? "Conflict" : "NoConflict",
                conflict ? $"several clusters are Enabled; {winner ?? "none"} forges" : ""),
            Cond(ConditionTypes.FailbackPending, pending, pending ? "FailbackPending" : "NoFailbackPending",
                pending ? FailbackMessage(choice, now) : ""));

        return new ClusterVerdict(
            c.Name,
            (c.Valid ? c.EffectiveState : ForgeState.Disabled).ToText(),
            c.EffectivePriority,
            c.Eligible,
            c.Healthy,
            forging,
            forging ? target : null,
            reason,
            message,
            conditions)
        {
            Health = c.Input.Health,
            DecidedSpec = c.Input.Spec,
        };
    }

    private static string HealthText(ClusterAssessment c) => c.Spec is { HealthGating: false }
        ? "health checks disabled"
        : c.Input.Health.Message ?? $"{c.Input.Health.ConsecutiveFailures} consecutive health check failure(s)";

    private static string FailbackMessage(Choice choice, DeciderNow now)
    {
        var left = choice.FailbackSince + choice.FailbackDelay - now.Monotonic;
        return $"recovered; forging moves back after {choice.FailbackDelay.TotalSeconds:0}s stable ({Math.Max(0, left.TotalSeconds):0}s left)";
    }

    private static (string Reason, string Message) Explain(
        ClusterAssessment c, bool forging, NodeId? target, string? winner, bool conflict, bool pending, Choice choice)
    {
        if (!c.Valid) return ("SpecInvalid", c.SpecError!);
        if (c.EffectiveState == ForgeState.Disabled)
            return ("Disabled", c.OverrideActive && c.Spec!.ForceState == ForgeState.Disabled
                ? $"override forces Disabled: {c.Spec.OverrideReason}"
                : "forgeState is Disabled");
        if (c.EligibleNodes.IsEmpty)
            return (NoEligibleNodeReason, "no node is alive, synced and holding the pool's current credentials");
        if (forging) return ("Forging", $"{target!.Value.Pod} forges ({choice.Transition})");
        if (conflict) return ("Conflict", $"several clusters are Enabled; {winner} forges");
        if (pending) return ("FailbackPending", FailbackMessageShort(choice));
        return ("Standby", winner is null ? "no cluster forges" : $"{winner} forges");
    }

    private static string FailbackMessageShort(Choice choice) =>
        $"recovered; waits {choice.FailbackDelay.TotalSeconds:0}s before forging moves back";
}
