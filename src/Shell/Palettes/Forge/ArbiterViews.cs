using System.Collections.Immutable;
using System.Globalization;
using Forge.Arbiter;
using Forge.Decider;
using Forge.Nodes;
using Forge.Protocol;
using Forge.Specs;

namespace Forge.Shell.Palettes.Forge;

/// <summary>Maps the ForgeArbiter's published state (and the replicated specs) onto the shell's views. Pure.</summary>
internal static class ArbiterViews
{
    public static PoolView Pool(PoolState state, PoolSpecs? specs)
    {
        var forger = VerifiedForger(state);
        var live = specs?.Live.ToImmutableDictionary(e => e.ClusterName, StringComparer.Ordinal)
                   ?? ImmutableDictionary<string, SpecEntry>.Empty;
        var names = state.Clusters.Select(v => v.Name).Union(live.Keys).Order(StringComparer.Ordinal);
        var clusters = names.Select(n => Cluster(n, state.Clusters.FirstOrDefault(v => v.Name == n), live.GetValueOrDefault(n), forger, state.DecidedAt))
            .ToImmutableArray();
        // The reason of the move SINCE counts from, not the arbiter's latest decision (mostly "holder kept").
        var last = state.History.LastOrDefault(h => h.Kind is "granted" or "target");
        var others = state.Nodes.Where(n => n.Forging == VerifiedForging.On && n.Node != forger).Select(n => n.Node).ToImmutableArray();
        return new PoolView(state.PoolId, forger, state.Target, state.Term, last?.At, last?.Reason ?? state.Transition, clusters, others);
    }

    /// <summary>The node whose forging the agent verified; the grant holder when several claim it (never expected).</summary>
    public static NodeId? VerifiedForger(PoolState state)
    {
        var on = state.Nodes.Where(n => n.Forging == VerifiedForging.On).Select(n => n.Node).ToList();
        if (state.Holder is { } h && on.Contains(h)) return h;
        return on.Count > 0 ? on[0] : null;
    }

    private static ClusterView Cluster(string name, ClusterVerdict? verdict, SpecEntry? entry, NodeId? forger, DateTimeOffset decidedAt)
    {
        var spec = entry?.Spec;
        return new ClusterView(
            name,
            spec?.Region ?? "",
            spec?.Priority,
            spec?.ForgeState ?? ForgeStates.PriorityBasedText,
            spec?.Override is { } o ? new OverrideView(o.Enabled, o.Reason, ParseTime(o.ExpiresAt), o.ForcePriority, o.ForceState) : null,
            verdict?.EffectiveState ?? "Unknown",
            verdict?.EffectivePriority,
            forger is { } f && f.Cluster == name ? f : null,
            verdict?.Healthy ?? false,
            entry?.FirstSeen ?? decidedAt,
            verdict?.Reason ?? "NotDecided",
            verdict?.Message ?? "the arbiter has not decided on this cluster yet");
    }

    /// <summary>A pool's grant from the arbiter's state and the replicas' answers (null: the quorum is not read);
    /// null when neither knows a term.</summary>
    public static GrantView? Grant(PoolState state, ImmutableArray<ReplicaAnswer>? answers = null)
    {
        var replicas = answers?.Select(Replica).ToImmutableArray() ?? [];
        var highest = replicas.Select(r => r.Term ?? TermId.None).DefaultIfEmpty(TermId.None).Max();
        var term = state.Term.IsNone ? highest : state.Term;
        if (term.IsNone) return null;
        if (answers is null) return new GrantView(state.PoolId, state.Holder, term, state.Phase, null, null, null, false, [], 0, []);

        var majority = replicas.Length / 2 + 1;
        var holding = replicas.Where(r => r.Term == term).ToList();
        var left = holding.Where(r => !r.Released).Select(r => r.Left).OfType<TimeSpan>().OrderDescending().ToList();
        return new GrantView(
            state.PoolId,
            holding.FirstOrDefault()?.Holder ?? state.Holder,
            term,
            state.Phase,
            holding.FirstOrDefault()?.Ttl,
            left.Count >= majority ? left[majority - 1] : null,
            holding.Count(r => r.Live && !r.Released) >= majority,
            holding.Count(r => r.Released) >= majority,
            [.. holding.Select(r => r.Region)],
            replicas.Length,
            replicas);
    }

    private static ReplicaGrantView Replica(ReplicaAnswer a)
    {
        var v = a.Status?.Current;
        return new ReplicaGrantView(a.Region, a.Status is not null, a.Waited, a.Status?.Recovering ?? false, v?.Term, v?.Holder, v?.Ttl,
            v?.Live ?? false, v?.Released ?? false, v?.SinceLastRenewal, a.Unreachable);
    }

    public static ForgeTransition Transition(string poolId, PoolTransition t) =>
        new(t.At, poolId, t.From, t.To, t.Term, $"{t.Kind}: {t.Reason}");

    public static AgentView Agent(NodeView v) => new(
        v.Node,
        v.PoolId,
        v.Connected,
        v.Synced,
        v.TipSlot,
        v.Forging switch { VerifiedForging.On => "forging", VerifiedForging.Off => "not forging", _ => "unknown" },
        v.HeldTerm.IsNone ? null : v.HeldTerm,
        v.LastSignal switch
        {
            SignalOutcome.None => null,
            SignalOutcome.Verified => "verified",
            SignalOutcome.SendFailed => "send failed (no such process, or PID mismatch)",
            SignalOutcome.VerifyTimeout => "sent, state not verified in time",
            SignalOutcome.NodeRejected => "BlockForgingUpdateError (state unchanged)",
            SignalOutcome.Killed => "disable not verified: the fence killed the node",
            var other => other.ToString(),
        },
        v.LastSignalAt,
        v.KesPeriodsRemaining,
        v.UpdatedAt,
        v.Refused);

    private static DateTimeOffset? ParseTime(string? text) =>
        DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var t) ? t : null;
}
