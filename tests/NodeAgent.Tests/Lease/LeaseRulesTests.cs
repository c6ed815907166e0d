using Forge.NodeAgent.Lease;
using Xunit;

namespace Forge.NodeAgent.Tests.Lease;

public sealed class LeaseRulesTests
{
    private const long S = 1_000_000_000;
    private static readonly DateTime T0 = new(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc);

    [Theory]
    // holder, observed at (s), now (s), may take?
    [InlineData("", 0, 0, true)]            // nobody holds it
    [InlineData("me", 0, 1, true)]          // renewing my own
    [InlineData("other", 0, 14, false)]     // still within its duration from *my* observation
    [InlineData("other", 0, 15, true)]      // expired by my clock
    [InlineData("other", 10, 20, false)]    // observed late: the clock starts at my observation, not at renewTime
    public void Expiry_is_judged_from_the_local_observation(string holder, long observedAt, long now, bool mayTake)
    {
        var o = new LeaseObservation(holder, T0, observedAt * S);
        Assert.Equal(mayTake, LeaseRules.MayTake(o, "me", now * S, 15 * S));
    }

    [Fact]
    public void Only_a_changed_record_moves_the_observation_time()
    {
        var first = LeaseRules.Observe(null, new LeaseRecord("other", T0, 0, "1"), 5 * S);
        var same = LeaseRules.Observe(first, new LeaseRecord("other", T0, 0, "1"), 9 * S);
        Assert.Equal(5 * S, same.ObservedAt);
        var renewed = LeaseRules.Observe(same, new LeaseRecord("other", T0.AddSeconds(2), 0, "2"), 10 * S);
        Assert.Equal(10 * S, renewed.ObservedAt);
    }

    [Fact]
    public void A_leader_steps_down_after_the_renew_deadline()
    {
        Assert.False(LeaseRules.MustStepDown(0, 10 * S, 10 * S));
        Assert.True(LeaseRules.MustStepDown(0, 10 * S + 1, 10 * S));
    }
}
