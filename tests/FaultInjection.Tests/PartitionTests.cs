using Forge.FaultInjection.Running;

namespace Forge.FaultInjection.Tests;

/// <summary>The cut sets of the partition scenarios and the majority rule that decides whether forging must leave the
/// forger's region (a partition run where it did not is a failure: the partition did not take effect).</summary>
public sealed class PartitionTests
{
    private static readonly RegionEntry A = Region("a", "10.77.0.11"), B = Region("b", "10.77.0.12"), C = Region("c", "10.77.0.13");
    private static readonly RegionEntry[] All = [A, B, C];

    private static RegionEntry Region(string name, string address) => new(name, name, name, [], []) { Address = address };

    [Fact]
    public void Isolating_a_region_cuts_both_directions_to_every_other_and_nothing_else()
    {
        var cuts = Scenarios.Isolate(A, All);
        Assert.Equal(4, cuts.Count);
        Assert.All(new[] { B, C }, o =>
        {
            Assert.Contains(new Cut(A, o), cuts);
            Assert.Contains(new Cut(o, A), cuts);
        });
        Assert.DoesNotContain(cuts, c => c.From != A && c.To != A);
    }

    [Fact]
    public void An_isolated_region_has_no_majority_the_other_two_keep_one()
    {
        var cuts = Scenarios.Isolate(A, All);
        Assert.False(Scenarios.KeepsMajority(A, All, cuts));
        Assert.True(Scenarios.KeepsMajority(B, All, cuts));
        Assert.True(Scenarios.KeepsMajority(C, All, cuts));
    }

    [Fact]
    public void One_direction_cut_is_enough_to_lose_a_peer()
    {
        Assert.False(Scenarios.KeepsMajority(A, All, [new Cut(A, B), new Cut(A, C)]));
        Assert.False(Scenarios.KeepsMajority(A, All, [new Cut(B, A), new Cut(C, A)]));
        Assert.True(Scenarios.KeepsMajority(A, All, [new Cut(B, A)]));
        Assert.True(Scenarios.KeepsMajority(A, All, []));
    }
}
