using Forge.Protocol;
using Xunit;

namespace Forge.Coordinator.Tests.MultiNode;

/// <summary>The S1 check of <see cref="RealQuorumSpec"/> itself: it must see an overlap when there is one.</summary>
public sealed class PermissionLogSpec
{
    private static readonly NodeId A = NodeId.Parse("a/bp-0");
    private static readonly NodeId B = NodeId.Parse("b/bp-0");
    private static TimeSpan S(double s) => TimeSpan.FromSeconds(s);

    [Fact]
    public void Overlapping_permissions_of_two_nodes_are_reported_and_a_release_cuts_an_interval_short()
    {
        var log = new PermissionLog();
        log.Permit(A, S(1), S(3));
        log.Permit(A, S(2), S(4)); // a renewal extends the interval
        log.Permit(B, S(3.5), S(5));
        Assert.Single(log.Overlaps());
        Assert.True(log.Covers(A, S(1), S(4)));

        log.Stopped(A, S(3.4)); // verified off, then released
        Assert.Empty(log.Overlaps());
        Assert.False(log.MayForge(A, S(3.45)));
        Assert.True(log.MayForge(B, S(3.6)));
    }
}
