using Forge.Arbiter;
using Xunit;

namespace Forge.Tests.Arbiter;

/// <summary>The periodic sweep cut into slices: every pool once per sweep, a tick during a sweep queues exactly one more.</summary>
public sealed class PoolSweepTests
{
    private static readonly string[] Pools = [.. Enumerable.Range(0, 7).Select(i => "pool" + i)];

    private static List<List<string>> Drain(PoolSweep sweep, Func<IEnumerable<string>> pools, Action<int>? afterSlice = null)
    {
        var slices = new List<List<string>>();
        bool more;
        do
        {
            slices.Add([.. sweep.NextSlice(pools, out more)]);
            afterSlice?.Invoke(slices.Count);
        }
        while (more);
        return slices;
    }

    [Fact]
    public void A_sweep_decides_every_pool_once_in_slices_of_the_given_size()
    {
        var sweep = new PoolSweep(3);
        Assert.True(sweep.Start(Pools));
        var slices = Drain(sweep, () => Pools);
        Assert.Equal([3, 3, 1], slices.Select(s => s.Count));
        Assert.Equal(Pools, slices.SelectMany(s => s));
        Assert.False(sweep.Running);
    }

    [Fact]
    public void A_tick_during_a_sweep_starts_no_second_one_but_sweeps_again_after_it_over_the_pools_then_known()
    {
        var sweep = new PoolSweep(3);
        var known = Pools.Take(5).ToList();
        Assert.True(sweep.Start(known));
        var slices = Drain(sweep, () => known, afterSlice: n =>
        {
            if (n != 1) return;
            known.AddRange(Pools.Skip(5)); // a pool appears meanwhile
            Assert.False(sweep.Start(known)); // the tick: the running sweep goes on, another follows
            Assert.False(sweep.Start(known)); // a second tick adds nothing more
        });
        Assert.Equal([.. Pools.Take(5), .. Pools], slices.SelectMany(s => s));
        Assert.False(sweep.Running);
    }

    [Fact]
    public void Nothing_to_sweep_starts_nothing()
    {
        var sweep = new PoolSweep();
        Assert.False(sweep.Start([]));
        Assert.Empty(sweep.NextSlice(() => [], out var more));
        Assert.False(more);
    }
}
