using System.Collections.Immutable;
using Forge.Grants;
using Forge.PodFence;
using Xunit;
using static Forge.Tests.PodFence.PodFenceWorld;

namespace Forge.Tests.PodFence;

public sealed class PodFenceDeciderTests
{
    private static PodFenceDecision Decide(ReplicaQuietTerms answer, ImmutableHashSet<FencedTerm>? fenced = null) =>
        PodFenceDecider.Decide(answer, Own, fenced ?? [], Settings());

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
        var answer = Answer(Quiet("p1", 7, Own, "cardano-bp-0"));
        var first = Decide(answer);
        Assert.Single(first.Orders);
        // the StatefulSet's new pod does not renew the old term: it stays quiet, poll after poll
        var later = Answer(Quiet("p1", 7, Own, "cardano-bp-0", quietSeconds: 30));
        var fenced = first.Fenced;
        for (var i = 0; i < 5; i++)
        {
            var d = Decide(later, fenced);
            Assert.Empty(d.Orders);
            fenced = d.Fenced;
        }
        Assert.Equal(first.Fenced, fenced);
    }

    [Fact]
    public void Forgets_terms_no_longer_reported_and_fences_a_new_term_or_incarnation()
    {
        var first = Decide(Answer(Quiet("p1", 7, Own, "cardano-bp-0")));
        // renewed again (an unconfirmed fence: the pod thawed): no longer quiet, forgotten
        var renewed = Decide(Answer(), first.Fenced);
        Assert.Empty(renewed.Fenced);
        Assert.Single(Decide(Answer(Quiet("p1", 7, Own, "cardano-bp-0")), renewed.Fenced).Orders);
        // a new term (or a new incarnation of the holder) is another key, fenced once
        Assert.Single(Decide(Answer(Quiet("p1", 8, Own, "cardano-bp-0")), first.Fenced).Orders);
        Assert.Single(Decide(Answer(Quiet("p1", 7, Own, "cardano-bp-0", incarnation: 2)), first.Fenced).Orders);
    }

    [Fact]
    public void A_recovering_replica_orders_nothing_and_forgets_nothing()
    {
        var first = Decide(Answer(Quiet("p1", 7, Own, "cardano-bp-0")));
        var d = Decide(Recovering(), first.Fenced);
        Assert.Empty(d.Orders);
        Assert.Equal(first.Fenced, d.Fenced);
    }

    [Fact]
    public void One_delete_per_pod_even_for_two_pools()
    {
        var d = Decide(Answer(Quiet("p1", 7, Own, "cardano-bp-0"), Quiet("p2", 4, Own, "cardano-bp-0"), Quiet("p3", 2, Own, "cardano-bp-1")));
        Assert.Equal([$"{Own}/cardano-bp-0", $"{Own}/cardano-bp-1"], Pods(d));
        Assert.Equal(3, d.Fenced.Count);
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
