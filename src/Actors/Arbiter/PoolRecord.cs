using System.Collections.Immutable;
using Forge.Decider;
using Forge.Nodes;
using Forge.Protocol;
using Forge.Specs;

namespace Forge.Arbiter;

/// <summary>The term the arbiter believes current for a pool: granted by the quorum, or learned from the holder.</summary>
public sealed record CurrentGrant(TermId Term, NodeId Holder, Guid Incarnation);

/// <summary>What the arbiter is waiting for on one pool.</summary>
public abstract record ArbiterPhase
{
    public sealed record Idle : ArbiterPhase
    {
        public static readonly Idle Instance = new();
    }

    /// <summary>A revoke went to the holder; waiting for its verified release (planned handover).</summary>
    public sealed record Revoking(CurrentGrant From, NodeId? Next, TimeSpan Since) : ArbiterPhase;

    /// <summary>A proposal is with the grant module.</summary>
    public sealed record Proposing(NodeId Target, Guid Incarnation, TimeSpan Since) : ArbiterPhase;

    public string Name => this switch
    {
        Revoking => "revoking",
        Proposing => "proposing",
        _ => "idle",
    };
}

/// <summary>Everything the arbiter keeps about one pool. Immutable; the actor swaps it per message.</summary>
public sealed record PoolRecord(
    string PoolId,
    ImmutableDictionary<string, SpecEntry> Specs,
    ImmutableDictionary<NodeId, NodeView> Nodes,
    ImmutableDictionary<NodeId, TimeSpan> NodeHeardAt,
    ImmutableDictionary<string, HealthObservation> Health,
    DeciderState Decider,
    CurrentGrant? Grant,
    TermId HighestTerm,
    ArbiterPhase Phase,
    Released? Release,
    TermId RevokeGaveUpFor,
    TimeSpan RetryAfter,
    ForgeDecision? LastDecision,
    ImmutableList<PoolTransition> History,
    ImmutableHashSet<Guid> Draining,
    TermId QuietTerm = default,
    TimeSpan? ProbedAt = null)
{
    public static PoolRecord Create(string poolId) => new(
        poolId,
        ImmutableDictionary<string, SpecEntry>.Empty,
        ImmutableDictionary<NodeId, NodeView>.Empty,
        ImmutableDictionary<NodeId, TimeSpan>.Empty,
        ImmutableDictionary<string, HealthObservation>.Empty,
        DeciderState.Initial,
        null,
        TermId.None,
        ArbiterPhase.Idle.Instance,
        null,
        TermId.None,
        TimeSpan.Zero,
        null,
        ImmutableList<PoolTransition>.Empty,
        ImmutableHashSet<Guid>.Empty);

    public PoolRecord AddHistory(PoolTransition t, int max)
    {
        var h = History.Add(t);
        return this with { History = h.Count > max ? h.RemoveRange(0, h.Count - max) : h };
    }

    /// <summary>A node counts as alive only if its entity said so recently, its registration was not refused, its
    /// incarnation did not ask for a handover (it is shutting down or being drained), and it is not the holder of a term
    /// the grant quorum reports quiet (<see cref="HolderLost"/>).</summary>
    /// <param name="quorumAnsweredAt">When a majority last answered the arbiter's quiet probe (null: not yet).</param>
    public bool IsLive(NodeView v, TimeSpan now, TimeSpan staleAfter, TimeSpan? quorumAnsweredAt = null) =>
        v.Alive && v.Refused is null && !Draining.Contains(v.Incarnation) && !HolderLost(v.Node, v.Incarnation)
        && NodeHeardAt.TryGetValue(v.Node, out var at) && (now - at < staleAfter || HolderRenewing(v, now, staleAfter, quorumAnsweredAt));

    /// <summary>The holder's view went stale (its entity out of reach: a shard handing off, its host cut off) while the
    /// quorum, asked within view-stale-after, did not report its term quiet: its renewals arrive, so its agent and node
    /// run. Without this a healthy forger was revoked the moment its view came back, the decider having moved on while
    /// it was stale (session 9: a shard handoff that waited a minute for a cut-off region).</summary>
    private bool HolderRenewing(NodeView v, TimeSpan now, TimeSpan staleAfter, TimeSpan? quorumAnsweredAt) =>
        quorumAnsweredAt is { } q && now - q < staleAfter && Grant is { } g && g.Holder == v.Node && g.Incarnation == v.Incarnation
        && v.HeldTerm == g.Term && QuietTerm != g.Term;

    /// <summary>What this record knows of a node, for logs that explain a decision about it (a revoke says why its holder
    /// stopped being eligible).</summary>
    /// <param name="staleAfter">Together with <paramref name="quorumAnsweredAt"/>: the decider's own reading of the
    /// node (live, current credentials), the two facts a view alone does not show.</param>
    public string Describe(NodeId node, TimeSpan now, TimeSpan staleAfter, TimeSpan? quorumAnsweredAt = null)
    {
        if (!Nodes.TryGetValue(node, out var v)) return "no view";
        var heard = NodeHeardAt.TryGetValue(node, out var at) ? $"heard {(now - at).TotalSeconds:0.0}s ago" : "never heard";
        var current = NodeView.CurrentOpcertHash(Nodes.Values);
        var credentials = current is null
            ? "no current credentials in the pool (no registered node, or two opcerts at the highest counter)"
            : v.Credentials.OpcertHash == current ? "current credentials" : $"not the current credentials (opcert counter {v.Credentials.OpcertCounter})";
        return $"incarnation {v.Incarnation}, {(v.Connected ? "connected" : "disconnected")}, {(v.Alive ? "alive" : "not alive")}, " +
               $"{(v.Synced ? "synced" : "not synced")}, holds {v.HeldTerm}, report {v.ReportAge.TotalSeconds:0.0}s old, {heard}" +
               (v.Refused is { } r ? $", refused: {r}" : "") + (Draining.Contains(v.Incarnation) ? ", draining" : "") +
               (HolderLost(node, v.Incarnation) ? ", its term quiet on the quorum" : "") +
               $"; for the decider: {(IsLive(v, now, staleAfter, quorumAnsweredAt) ? "live" : "not live")}, {credentials}";
    }

    /// <summary>Whether an agent link's answer (<see cref="LinkedAgentView"/>) is newer than this record's view of its node:
    /// there is none, or its agent report is older than the link's (each age: the view's report age plus the time since it
    /// was heard). A link of an agent that died or restarted since reports ever older, so it never undoes a newer view.</summary>
    public bool IsNewerThanHeld(NodeView linked, TimeSpan now) =>
        !Nodes.TryGetValue(linked.Node, out var v) || !NodeHeardAt.TryGetValue(linked.Node, out var at)
        || SuccessorFreshness.Age(v, at, now) > linked.ReportAge;

    /// <summary>The current term's holder has lost it: a majority of replicas saw no renewal of that term for its quiet
    /// bound (at least two missed renewals). Its node view may still look healthy (the entity lives on the far side of a
    /// partition, or the link is up while the renewals cannot reach a majority), but it cannot forge much longer.</summary>
    public bool HolderLost(NodeId node, Guid incarnation) =>
        Grant is { } g && !QuietTerm.IsNone && QuietTerm == g.Term && g.Holder == node && g.Incarnation == incarnation;

    /// <summary>A term learned from outside this arbiter's own grants (a holder's view, the quorum's answers): the current
    /// one if it is higher than the known grant; the decider's holder is whoever holds it, not whoever it would pick.
    /// Returns this record itself when nothing changes.</summary>
    public PoolRecord LearnTerm(TermId term, NodeId holder, Guid incarnation) =>
        Grant is { } g && g.Term >= term ? this : this with
        {
            Grant = new CurrentGrant(term, holder, incarnation),
            HighestTerm = term > HighestTerm ? term : HighestTerm,
            Decider = Decider with { Holder = holder },
        };


    /// <summary>The decider's inputs (<see cref="Inputs"/>) with the successor freshness
    /// rule applied (<see cref="SuccessorFreshness"/>), and the candidates it set aside. No known grant counts too: an
    /// arbiter that moved with the lost region learns no holder (its entity died with it) and chooses "no forger" — in a
    /// fault run, the lost region's other node, whose entity elsewhere still showed it connected 16 s after the kill.
    /// Once the holder was found lost and the candidates' entities were asked (<see cref="ProbedAt"/>), a candidate is
    /// fresh only if its entity answered since: a view pushed before its region died can look fresh for up to
    /// view-stale-after, longer than the holder takes to be found lost (seen: the dead region's other node was granted,
    /// 1 s lost).
    /// <para>While the holder is live the rule applies too, without the probe: a planned move (a failback, a cluster
    /// "eligible for the first time" to a new arbiter) goes only to a node heard from recently. Seen in a fault run: a
    /// new arbiter adopted the fallback proposer's term 4 s after the forger's region was killed and handed forging back
    /// to the dead forger at once, its last view not yet view-stale-after old (9.4 s without forging). A planned move is
    /// never urgent, and a healthy candidate is always fresh (reports every second, views every 2 s).</para></summary>
    public (DeciderInputs Inputs, ImmutableArray<NodeId> SetAside) DecisionInputs(TimeSpan now, ArbiterSettings s, DateTimeOffset wallNow,
        TimeSpan? quorumAnsweredAt = null)
    {
        var inputs = Inputs(now, s.ViewStaleAfter, quorumAnsweredAt);
        var holderLive = Grant is { } g && Nodes.TryGetValue(g.Holder, out var holder) && holder.Incarnation == g.Incarnation
                         && IsLive(holder, now, s.ViewStaleAfter, quorumAnsweredAt);
        return s.Successor.Apply(inputs, Grant?.Holder, id =>
            Nodes.TryGetValue(id, out var v) && NodeHeardAt.TryGetValue(id, out var at)
                ? new SuccessorFreshness.Seen(s.Successor.IsFresh(v, at, now) && (holderLive || !(ProbedAt is { } p && at < p)),
                    SuccessorFreshness.Age(v, at, now))
                : null, wallNow);
    }

    /// <summary>The decider's inputs: live clusters (tombstones leave the election), their health and nodes.</summary>
    public DeciderInputs Inputs(TimeSpan now, TimeSpan staleAfter, TimeSpan? quorumAnsweredAt = null)
    {
        var currentHash = NodeView.CurrentOpcertHash(Nodes.Values); // two opcerts at one counter make nobody current
        var clusters = Specs.Values.Where(e => !e.Deleted && e.Spec is not null)
            .OrderBy(e => e.ClusterName, StringComparer.Ordinal)
            .Select(e => new ClusterInput(
                e.ClusterName,
                e.FirstSeen,
                e.Spec,
                Health.GetValueOrDefault(e.ClusterName, HealthObservation.None),
                Nodes.Values.Where(v => v.Node.Cluster == e.ClusterName)
                    .OrderBy(v => v.Node)
                    .Select(v => new NodeInput(v.Node, IsLive(v, now, staleAfter, quorumAnsweredAt), v.Synced, v.TipSlot,
                        currentHash is not null && v.Credentials.OpcertHash == currentHash))
                    .ToImmutableArray()))
            .ToImmutableArray();
        return new DeciderInputs(PoolId, clusters);
    }
}
