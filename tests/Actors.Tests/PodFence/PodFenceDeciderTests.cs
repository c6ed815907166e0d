using Forge.Grants;
using Forge.PodFence;
using Xunit;
using static Forge.Tests.PodFence.PodFenceWorld;

namespace Forge.Tests.PodFence;

public sealed class PodFenceDeciderTests
{
    private static PodFenceDecision Decide(ReplicaQuietTerms answer, PodFenceMemory? memory = null, double nowSeconds = 100) =>
        PodFenceDecider.Decide(answer, Own, memory ?? PodFenceMemory.Empty, Settings(), TimeSpan.FromSeconds(nowSeconds));

    private static string[] Pods(PodFenceDecision d) => [.. d.Orders.Select(o => o.Holder.ToString())];

    [Fact]
    public void Fences_a_quiet_holder_of_its_own_cluster_only()
    {
        var d = Decide(Answer(Quiet("p1", 7, Own, "cardano-bp-0"), Quiet("p2", 3, Other, "cardano-bp-0")));
        Assert.Equal([$"{Own}/cardano-bp-0"], Pods(d));
        var o = d.Orders.Single();
        Assert.Equal(("p1", 7L, Incarnation(1)), (o.PoolId, o.Term.Counter, o.Incarnation));
    }

    [Fact]
    public void Reads_ahead_the_pods_of_its_own_clusters_unreleased_holders_each_once_and_nothing_while_recovering()
    {
        var answer = Answer(Quiet("p1", 7, Own, "cardano-bp-0", quietSeconds: 0.2), Quiet("p2", 4, Own, "cardano-bp-0", quietSeconds: 0.1),
            Quiet("p3", 2, Own, "cardano-bp-1", released: true), Quiet("p4", 3, Other, "cardano-bp-2"), Quiet("p5", 9, Own, "cardano-bp-3"));
        Assert.Equal(["cardano-bp-0", "cardano-bp-3"], PodFenceDecider.OwnHolderPods(answer, Own).ToArray());
        Assert.Empty(PodFenceDecider.OwnHolderPods(Recovering(), Own));
    }

    [Fact]
    public void Never_fences_a_released_term() =>
        Assert.Empty(Decide(Answer(Quiet("p1", 7, Own, "cardano-bp-0", released: true))).Orders);

    [Fact]
    public void Ignores_terms_quiet_for_less_than_the_fraction_of_their_ttl()
    {
        Assert.Empty(Decide(Answer(Quiet("p1", 7, Own, "cardano-bp-0", quietSeconds: 2.99))).Orders);
        Assert.Single(Decide(Answer(Quiet("p1", 7, Own, "cardano-bp-0", quietSeconds: 3.0))).Orders);
    }

    [Fact]
    public void A_pod_recreated_under_the_old_quiet_term_is_not_fenced_again()
    {
        var first = Decide(Answer(Quiet("p1", 7, Own, "cardano-bp-0")));
        Assert.Single(first.Orders);
        // the StatefulSet's new pod does not renew the old term: it stays quiet, poll after poll
        var memory = first.Memory;
        for (var i = 1; i <= 5; i++)
        {
            var d = Decide(Answer(Quiet("p1", 7, Own, "cardano-bp-0", quietSeconds: 3.2 + i)), memory, 100 + i);
            Assert.Empty(d.Orders);
            memory = d.Memory;
        }
        Assert.Equal(first.Memory.Fenced, memory.Fenced);
    }

    [Fact]
    public void Forgets_terms_no_longer_reported_and_fences_a_new_term_or_incarnation()
    {
        var first = Decide(Answer(Quiet("p1", 7, Own, "cardano-bp-0")));
        // renewed again (an unconfirmed fence: the pod thawed): no longer quiet, forgotten
        var renewed = Decide(Answer(Quiet("p1", 7, Own, "cardano-bp-0", quietSeconds: 0.2)), first.Memory, 101);
        Assert.Empty(renewed.Orders);
        Assert.Single(Decide(Answer(Quiet("p1", 7, Own, "cardano-bp-0")), renewed.Memory, 105).Orders);
        // a new term (or a new incarnation of the holder) is another key, fenced once
        Assert.Single(Decide(Answer(Quiet("p1", 8, Own, "cardano-bp-0")), first.Memory, 101).Orders);
        Assert.Single(Decide(Answer(Quiet("p1", 7, Own, "cardano-bp-0", incarnation: 2)), first.Memory, 101).Orders);
    }

    [Fact]
    public void A_term_replaced_while_its_holder_was_quiet_is_followed_and_fenced_at_the_fraction()
    {
        // seen quiet 2.2 s at t=100 (below 3 s); by t=100.5 the arbiter (0.5 x TTL on a majority) granted term 8 to bp-1
        var seen = Decide(Answer(Quiet("p1", 7, Own, "cardano-bp-0", quietSeconds: 2.2)));
        Assert.Empty(seen.Orders);
        var successor = Answer(Quiet("p1", 8, Own, "cardano-bp-1", quietSeconds: 0));
        var replaced = Decide(successor, seen.Memory, 100.5);
        Assert.Empty(replaced.Orders); // 2.7 s
        var due = Decide(successor, replaced.Memory, 100.8);
        var o = Assert.Single(due.Orders);
        Assert.Equal(($"{Own}/cardano-bp-0", 7L), (o.Holder.ToString(), o.Term.Counter));
        Assert.Equal(TimeSpan.FromSeconds(3.0), o.QuietFor);
        // fenced once: neither followed nor remembered afterwards
        var after = Decide(successor, due.Memory, 110);
        Assert.Empty(after.Orders);
        Assert.Empty(after.Memory.Superseded);
        Assert.Empty(after.Memory.Fenced);
    }

    [Fact]
    public void A_term_handed_over_while_its_holder_renewed_is_not_followed()
    {
        // a planned handover: the holder renewed 0.8 s before the poll, then released; the replica reports the successor
        var seen = Decide(Answer(Quiet("p1", 7, Own, "cardano-bp-0", quietSeconds: 0.8)));
        var handedOver = Decide(Answer(Quiet("p1", 8, Own, "cardano-bp-1", quietSeconds: 0)), seen.Memory, 100.5);
        Assert.Empty(handedOver.Memory.Superseded);
        Assert.Empty(Decide(Answer(Quiet("p1", 8, Own, "cardano-bp-1", quietSeconds: 0.4)), handedOver.Memory, 110).Orders);
        // another cluster's replaced term is never followed either
        var other = Decide(Answer(Quiet("p1", 7, Other, "cardano-bp-0", quietSeconds: 2.5)));
        Assert.Empty(Decide(Answer(Quiet("p1", 8, Own, "cardano-bp-1", quietSeconds: 0)), other.Memory, 110).Memory.Superseded);
    }

    [Fact]
    public void A_recovering_replica_orders_nothing_and_forgets_nothing()
    {
        var first = Decide(Answer(Quiet("p1", 7, Own, "cardano-bp-0")));
        var d = Decide(Recovering(), first.Memory, 101);
        Assert.Empty(d.Orders);
        Assert.Equal(first.Memory, d.Memory);
    }

    [Fact]
    public void One_delete_per_pod_even_for_two_pools()
    {
        var d = Decide(Answer(Quiet("p1", 7, Own, "cardano-bp-0"), Quiet("p2", 4, Own, "cardano-bp-0"), Quiet("p3", 2, Own, "cardano-bp-1")));
        Assert.Equal([$"{Own}/cardano-bp-0", $"{Own}/cardano-bp-1"], Pods(d));
        Assert.Equal(3, d.Memory.Fenced.Count);
    }

    [Theory]
    [InlineData(0.0, 500, 1, 15, "quiet-fraction")]
    [InlineData(1.0, 500, 1, 15, "quiet-fraction")]
    [InlineData(0.95, 500, 1, 15, "below the grant TTL")]
    [InlineData(0.6, 0, 1, 15, "poll-interval")]
    [InlineData(0.6, 500, 0, 15, "grace-period")]
    [InlineData(0.6, 500, 1, 1, "confirm-within")]
    public void Bad_settings_fail_with_the_setting_named(double fraction, int pollMs, int graceS, int confirmS, string named)
    {
        var e = Assert.Throws<ArgumentException>(() => new PodFenceSettings(true, fraction, TimeSpan.FromMilliseconds(pollMs),
            TimeSpan.FromSeconds(graceS), TimeSpan.FromSeconds(confirmS), Ttl));
        Assert.Contains(named, e.Message);
    }

    [Fact]
    public void Hocon_defaults_are_valid_and_as_documented()
    {
        var config = Akka.Configuration.ConfigurationFactory.ParseString(
            File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "hocon", "grants.conf")));
        var s = PodFenceSettings.FromConfig(config, Ttl);
        Assert.Equal((true, 0.6, TimeSpan.FromMilliseconds(500), TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(15)),
            (s.Enabled, s.QuietFraction, s.PollInterval, s.GracePeriod, s.ConfirmWithin));
    }
}
