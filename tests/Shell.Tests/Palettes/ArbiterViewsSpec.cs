using System.Collections.Immutable;
using Forge.Arbiter;
using Forge.Decider;
using Forge.Protocol;
using Forge.Shell.Palettes.Forge;
using Forge.Specs;
using Xunit;
using static Forge.Shell.Tests.Fakes.ArbiterStates;

namespace Forge.Shell.Tests.Palettes;

/// <summary>The mapping of the arbiter's state onto the shell's views.</summary>
public class ArbiterViewsSpec
{
    private static readonly TermId T1 = new(1, "c0");

    [Fact]
    public void The_forger_is_the_verified_node_not_the_decided_one()
    {
        var handover = ArbiterViews.Pool(State(West, East, T1, "revoking", East, "Enabled", []), PoolSpecsOf());
        Assert.Equal((East, West, false), (handover.Forger, handover.Target, handover.Settled));
        Assert.Equal(East, handover.Clusters.Single(c => c.Name == East.Cluster).ActiveLeader);
        Assert.Null(handover.Clusters.Single(c => c.Name == West.Cluster).ActiveLeader);

        var nobody = ArbiterViews.Pool(State(West, West, T1, "idle", null, "Enabled", []), PoolSpecsOf());
        Assert.Null(nobody.Forger);
        Assert.False(nobody.Settled);
    }

    [Fact]
    public void The_last_transition_is_the_reason_of_the_last_move_not_the_latest_decision()
    {
        var granted = new PoolTransition(DateTimeOffset.UnixEpoch.AddMinutes(1), "granted", null, East, T1, "no forger");
        var kept = State(East, East, T1, "idle", East, "Priority-based",
            [new PoolTransition(DateTimeOffset.UnixEpoch, "target", null, East, TermId.None, "no forger"), granted]) with { Transition = "holder kept" };
        var pool = ArbiterViews.Pool(kept, PoolSpecsOf());
        Assert.Equal((granted.At, "no forger"), (pool.LastTransitionAt, pool.LastTransition));

        var fresh = ArbiterViews.Pool(State(East, East, T1, "idle", East, "Priority-based", []), PoolSpecsOf());
        Assert.Equal(((DateTimeOffset?)null, "spec change"), (fresh.LastTransitionAt, fresh.LastTransition)); // no move recorded yet
    }

    [Fact]
    public void Two_verified_forgers_are_reported_with_the_holder_first()
    {
        var state = State(East, East, T1, "idle", East, "Priority-based", []);
        state = state with { Nodes = [.. state.Nodes.Select(n => n with { Forging = VerifiedForging.On })] };
        var pool = ArbiterViews.Pool(state, PoolSpecsOf());
        Assert.Equal(East, pool.Forger);
        Assert.Equal(new[] { West }, pool.AlsoForging.ToArray());
    }

    [Fact]
    public void Specs_without_a_verdict_show_as_not_decided_and_tombstones_are_left_out()
    {
        var specs = PoolSpecsOf();
        specs = specs with
        {
            Clusters = specs.Clusters
                .Add("eu-west-1-prod", new SpecEntry(Pool, "eu-west-1-prod", new ClusterSpec("eu-west-1", 3), false, 1, DateTimeOffset.UtcNow, DateTimeOffset.UtcNow, "t"))
                .Add("gone-prod", new SpecEntry(Pool, "gone-prod", null, true, 2, DateTimeOffset.UtcNow, DateTimeOffset.UtcNow, "t")),
        };
        var pool = ArbiterViews.Pool(State(East, East, T1, "idle", East, "Priority-based", []), specs);
        Assert.Equal(["eu-west-1-prod", "us-east-1-prod", "us-west-2-prod"], pool.Clusters.Select(c => c.Name));
        var eu = pool.Clusters[0];
        Assert.Equal(("Unknown", "NotDecided", "eu-west-1", 3), (eu.EffectiveState, eu.Reason, eu.Region, eu.Priority));
    }

    [Fact]
    public void Overrides_history_grants_and_agents()
    {
        var at = "2030-01-02T03:04:05Z";
        var pool = ArbiterViews.Pool(State(East, East, T1, "idle", East, "Priority-based", []),
            PoolSpecsOf(new ClusterSpec("us-west-2", 2, Override: new OverrideSpec(true, "m", at, null, ForgeStates.EnabledText))));
        var o = pool.Clusters.Single(c => c.Name == West.Cluster).Override!;
        Assert.Equal(new OverrideView(true, "m", DateTimeOffset.Parse(at, System.Globalization.CultureInfo.InvariantCulture), null, "Enabled"), o);

        var t = ArbiterViews.Transition(Pool, new PoolTransition(DateTimeOffset.UnixEpoch, "revoke", East, West, T1, "spec change"));
        Assert.Equal("revoke: spec change", t.Reason);

        var grant = ArbiterViews.Grant(State(East, East, T1, "idle", East, "Priority-based", []))!;
        Assert.Equal((East, T1, "idle", (TimeSpan?)null), (grant.Holder, grant.Term, grant.Phase, grant.Ttl));
        Assert.Null(ArbiterViews.Grant(PoolState.Empty(Pool)));

        var agent = ArbiterViews.Agent(State(East, East, T1, "idle", East, "Priority-based", []).Nodes[0]);
        Assert.Equal(("forging", "verified", 57, (TermId?)T1), (agent.Forging, agent.LastSighup, agent.KesPeriodsLeft, agent.Term));
        Assert.Equal(SignalAt, agent.LastSighupAt);
    }
}
