using Forge.NodeAgent.Core;
using Forge.Protocol;
using Xunit;
using static Forge.NodeAgent.Tests.Core.DeciderFixture;

namespace Forge.NodeAgent.Tests.Core;

/// <summary>
/// A verified release is kept until a coordinator is known to have it: sent again on the next registered connection
/// (to whichever coordinator that is), acknowledged by the answer to a registration sent after it on the same
/// connection, dropped once the term is stale or a newer term arrives.
/// </summary>
public sealed class ReleaseDeliveryTests
{
    private static AgentEvent.Received Registered(DeciderFixture f) =>
        new AgentEvent.Received(new AgentRegistered(DeciderFixture.Node, f.Rules.Incarnation, "coordinator-a"));

    private static AgentEvent.Received Refused(DeciderFixture f) =>
        new AgentEvent.Received(new AgentRefused(DeciderFixture.Node, f.Rules.Incarnation, "unknown pool"));

    private static IEnumerable<Released> ReleasedSent(IEnumerable<AgentEffect> fx) =>
        fx.OfType<AgentEffect.Send>().Select(s => s.Message).OfType<Released>();

    /// <summary>Connected and registered, forging T1 from <paramref name="ms"/>.</summary>
    private static DeciderFixture ForgingOnALink(long ms = 0)
    {
        var f = new DeciderFixture();
        f.At(ms, new AgentEvent.LinkUp("coordinator-a"));
        f.At(ms, Registered(f));
        f.Forging(T1, ms);
        return f;
    }

    /// <summary>Forging T1, the link lost at 100 ms: no renewal can arrive, the permission (sent at 0 + 5000 - 500 -
    /// 2000) runs out at 2500 ms, the fence disables, and the release is verified with no link.</summary>
    private static (DeciderFixture F, IReadOnlyList<AgentEffect> Effects) ReleasedWhileDown()
    {
        var f = ForgingOnALink();
        f.At(100, new AgentEvent.LinkDown("connection reset"));
        f.At(2_600, new AgentEvent.Tick());
        Assert.Equal(AgentPhase.Releasing, f.State.Phase);
        return (f, f.Fence(VerifiedForging.Off, f.State.FenceRequest));
    }

    [Fact]
    public void A_release_made_while_the_link_is_down_is_sent_once_a_coordinator_registers_the_agent_again()
    {
        var (f, fx) = ReleasedWhileDown();
        Assert.Equal(T1, Assert.Single(ReleasedSent(fx)).Term); // sent (the link drops it) and kept
        Assert.DoesNotContain(fx, e => e is AgentEffect.Reregister);
        Assert.Equal(T1, f.State.UnackedRelease?.Message.Term);

        // a new connection: nothing until the coordinator registered the agent (the release would be ignored before)
        Assert.Empty(ReleasedSent(f.At(4_000, new AgentEvent.LinkUp("coordinator-b"))));
        fx = f.At(4_050, Registered(f));
        Assert.Equal(T1, Assert.Single(ReleasedSent(fx)).Term);
        Assert.Contains(fx, e => e is AgentEffect.Reregister); // its answer will prove the release arrived
        Assert.Contains(fx, e => e is AgentEffect.Log { Message: "release sent again after the link came back" });

        fx = f.At(4_060, Registered(f));
        Assert.Contains(fx, e => e is AgentEffect.Log { Message: "release acknowledged" });
        Assert.Null(f.State.UnackedRelease);
        Assert.Empty(ReleasedSent(f.At(4_070, Registered(f))));
    }

    [Fact]
    public void A_release_on_a_registered_link_is_followed_by_a_registration_and_sent_again_if_the_link_drops_before_its_answer()
    {
        var f = ForgingOnALink();
        f.At(500, new AgentEvent.Received(f.Revoke(T1)));
        var fx = f.Fence(VerifiedForging.Off, f.State.FenceRequest);
        Assert.Single(ReleasedSent(fx));
        Assert.Contains(fx, e => e is AgentEffect.Reregister);

        f.At(600, new AgentEvent.LinkDown("coordinator restarted"));
        f.At(700, new AgentEvent.LinkUp("coordinator-b"));
        fx = f.At(710, Registered(f)); // answers the new connection's own first registration, sent before any release
        Assert.Single(ReleasedSent(fx));
        Assert.NotNull(f.State.UnackedRelease);
        f.At(720, Registered(f));
        Assert.Null(f.State.UnackedRelease);
    }

    [Fact]
    public void An_answer_to_a_registration_sent_before_the_release_acknowledges_nothing()
    {
        var f = new DeciderFixture();
        f.At(0, new AgentEvent.LinkUp("coordinator-a")); // its registration is #1; no answer yet
        f.Forging(T1, 0);
        f.At(0, Registered(f));
        f.At(500, new AgentEvent.Received(f.Revoke(T1)));
        f.Fence(VerifiedForging.Off, f.State.FenceRequest); // release, then registration #2
        // a refusal answering #2: the coordinator may have ignored the release of an incarnation it refuses
        f.At(600, Refused(f));
        Assert.Equal(0, f.State.UnackedRelease?.AckedByAnswer);
        // registered again: the release goes out once more and is acknowledged by the next answer
        var fx = f.At(700, Registered(f));
        Assert.Single(ReleasedSent(fx));
        f.At(710, Registered(f));
        Assert.Null(f.State.UnackedRelease);
    }

    [Fact]
    public void A_kept_release_is_dropped_when_its_term_is_stale_or_a_newer_term_arrives()
    {
        var (f, _) = ReleasedWhileDown();
        var stale = f.State.UnackedRelease!.StaleAt;
        Assert.Equal(f.Now + ReleaseDelivery.StaleAfterTtls * (long)Ttl.TotalMilliseconds * 1_000_000, stale);
        f.At(stale / 1_000_000 - 1, new AgentEvent.Tick());
        Assert.NotNull(f.State.UnackedRelease);
        var fx = f.At(stale / 1_000_000, new AgentEvent.Tick());
        Assert.Null(f.State.UnackedRelease);
        Assert.Contains(fx, e => e is AgentEffect.Log { Message: "release never acknowledged: dropped, the term has lapsed" });
        f.At(stale / 1_000_000 + 10, new AgentEvent.LinkUp("coordinator-b"));
        Assert.Empty(ReleasedSent(f.At(stale / 1_000_000 + 20, Registered(f))));

        var (g, _) = ReleasedWhileDown();
        g.At(3_000, new AgentEvent.LinkUp("coordinator-b"));
        g.At(3_000, new AgentEvent.Received(g.Grant(T2))); // the coordinator has moved on
        Assert.Null(g.State.UnackedRelease);
    }

    [Fact]
    public void Without_a_coordinator_link_nothing_is_kept()
    {
        var f = new DeciderFixture(); // single-cluster mode: the elector is in process
        f.Forging(T1, 0);
        f.At(500, new AgentEvent.Received(f.Revoke(T1)));
        var fx = f.Fence(VerifiedForging.Off, f.State.FenceRequest);
        Assert.Single(ReleasedSent(fx));
        Assert.DoesNotContain(fx, e => e is AgentEffect.Reregister);
        Assert.Null(f.State.UnackedRelease);
    }
}
