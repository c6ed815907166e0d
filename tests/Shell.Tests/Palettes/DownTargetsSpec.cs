using Akka.Actor;
using Akka.Cluster;
using Forge.Shell.Palettes.Cluster;
using Xunit;

namespace Forge.Shell.Tests.Palettes;

/// <summary>Which unreachable members <c>cluster down-unreachable</c> marks down: every status but Down and Exiting.</summary>
public sealed class DownTargetsSpec
{
    private static Address At(int port) => new("akka.tcp", "forge", "127.0.0.1", port);

    [Theory]
    [InlineData(MemberStatus.Joining, true)]
    [InlineData(MemberStatus.WeaklyUp, true)]
    [InlineData(MemberStatus.Up, true)]
    [InlineData(MemberStatus.Leaving, true)]
    [InlineData(MemberStatus.Exiting, false)] // left already: the leader removes it without us
    [InlineData(MemberStatus.Down, false)]    // marked down already
    public void One_unreachable_member_by_status(MemberStatus status, bool marked)
    {
        var targets = ClusterPalette.DownTargets([(At(4053), status)]);
        Assert.Equal(marked ? [At(4053)] : [], targets);
    }

    [Fact]
    public void Targets_come_in_address_order_and_skip_the_departed()
    {
        var targets = ClusterPalette.DownTargets(
        [
            (At(4055), MemberStatus.Up), (At(4053), MemberStatus.Exiting), (At(4054), MemberStatus.Leaving),
            (At(4052), MemberStatus.Down), (At(4051), MemberStatus.Up),
        ]);
        Assert.Equal([At(4051), At(4054), At(4055)], targets);
    }
}
