using System.Collections.Immutable;
using Forge.Decider;
using Forge.Nodes;
using Forge.Protocol;

namespace Forge.Arbiter;

/// <summary>
/// Who may succeed a holder that is no longer live (its term quiet on the quorum, its node gone or draining), or forge
/// when no holder is known (a new arbiter after its host died with the forger's region): only
/// candidates heard from recently, while one of them can forge. Pure, liveness only: the quorum's terms and waits decide
/// safety whoever is proposed.
/// <para>Why: when the forger's whole region dies, its other node's view still looks alive for up to
/// <c>view-stale-after</c> (its entity, or the entity's last view, outlives the agent), so the decider's ordinary
/// choice — the holder's own cluster first — was that dead node; its term was never renewed and failover took 13–17 s.</para>
/// <para>A node is <b>fresh</b> when its entity's last view says the agent reported less than
/// <see cref="ReportStaleAfter"/> before (entities send a view as soon as their agent has been silent for
/// <c>forge.nodes.report-silent-after</c>, so this is current within one message's delay) and that view arrived here
/// less than <see cref="ViewStaleAfter"/> ago (entities re-send every <c>forge.nodes.view-refresh</c>; a view that stops
/// coming means the entity died, e.g. with the region). Ages only: the entity measures the report's age on its clock,
/// the arbiter the view's on its own, so no two processes' clocks are compared.</para>
/// <para>The rule: stale candidates are set aside while the fresh ones leave an eligible cluster; if none does, the
/// stale ones are let in by <see cref="Age"/>, the least stale first together with every one within
/// <see cref="ReportStaleAfter"/> of it (ages that close are noise: the decider's priority chooses among them), widening
/// until a cluster is eligible: a pool whose every candidate looks stale (views late under load) still gets the best of
/// them, never nobody.</para>
/// <para>A view pushed just before its entity died with its region passes both bounds for up to view-stale-after, longer
/// than a lost holder takes to be found; so the arbiter then asks the candidates' entities and also requires an answer
/// since (<see cref="PoolRecord.ProbedAt"/>): a dead region's entity gives none.</para>
/// </summary>
public sealed record SuccessorFreshness
{
    public SuccessorFreshness(TimeSpan reportStaleAfter, TimeSpan viewStaleAfter)
    {
        if (reportStaleAfter <= TimeSpan.Zero) throw new ArgumentException($"{ArbiterSettings.Section}.successor-report-stale-after must be positive");
        if (viewStaleAfter <= TimeSpan.Zero) throw new ArgumentException($"{ArbiterSettings.Section}.successor-view-stale-after must be positive");
        ReportStaleAfter = reportStaleAfter;
        ViewStaleAfter = viewStaleAfter;
    }

    /// <summary>Agents report every second (forge.agent status-interval): 1.5 s is one missed report plus half an interval.</summary>
    public static readonly SuccessorFreshness Default = new(TimeSpan.FromMilliseconds(1500), TimeSpan.FromSeconds(3));

    /// <summary>A candidate whose agent's last report, as its entity last told, is at least this old is stale.</summary>
    public TimeSpan ReportStaleAfter { get; }
    /// <summary>A candidate whose entity sent no view for this long is stale (entities re-send every view-refresh).</summary>
    public TimeSpan ViewStaleAfter { get; }

    public bool IsFresh(NodeView view, TimeSpan heardAt, TimeSpan now) =>
        view.ReportAge < ReportStaleAfter && now - heardAt < ViewStaleAfter;

    /// <summary>How long ago the agent last reported, at most (the report's age when the view was made + the view's
    /// age here); orders the stale candidates for the fallback.</summary>
    public static TimeSpan Age(NodeView view, TimeSpan heardAt, TimeSpan now) => view.ReportAge + (now - heardAt);

    /// <summary>A candidate's freshness as the arbiter sees it now.</summary>
    public readonly record struct Seen(bool Fresh, TimeSpan Age);

    /// <summary>
    /// The decider's inputs with the stale candidates (alive in <paramref name="inputs"/>, not
    /// <paramref name="holder"/>) marked not alive, as far as that leaves an eligible cluster; and which nodes were set
    /// aside. A candidate <paramref name="seen"/> knows nothing of counts as stale and oldest.
    /// </summary>
    public (DeciderInputs Inputs, ImmutableArray<NodeId> SetAside) Apply(DeciderInputs inputs, NodeId? holder,
        Func<NodeId, Seen?> seen, DateTimeOffset wallNow)
    {
        var candidates = inputs.Clusters.SelectMany(c => c.Nodes).Where(n => n.Alive && n.Id != holder)
            .Select(n => (n.Id, Seen: seen(n.Id) ?? new Seen(false, TimeSpan.MaxValue))).ToList();
        var stale = candidates.Where(c => !c.Seen.Fresh).OrderBy(c => c.Seen.Age).ThenBy(c => c.Id).ToList();
        if (stale.Count == 0) return (inputs, []);

        // Tier 0: the fresh ones only. Tier k > 0: also the stale ones within ReportStaleAfter of the k-th least stale.
        for (var k = 0; k <= stale.Count; k++)
        {
            var bound = k == 0 ? TimeSpan.MinValue
                : stale[k - 1].Seen.Age >= TimeSpan.MaxValue - ReportStaleAfter ? TimeSpan.MaxValue : stale[k - 1].Seen.Age + ReportStaleAfter;
            var aside = stale.Where(c => c.Seen.Age > bound).Select(c => c.Id).ToImmutableHashSet();
            var filtered = inputs with
            {
                Clusters = [.. inputs.Clusters.Select(c => c with
                {
                    Nodes = [.. c.Nodes.Select(n => aside.Contains(n.Id) ? n with { Alive = false } : n)],
                })],
            };
            if (filtered.Clusters.Any(c => ClusterAssessment.Of(c, wallNow).Eligible))
                return (filtered, [.. stale.Select(c => c.Id).Where(aside.Contains)]);
        }
        return (inputs, []);
    }
}
