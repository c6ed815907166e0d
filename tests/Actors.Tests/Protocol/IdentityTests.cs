using Forge.Protocol;
using Xunit;

namespace Forge.Tests.Protocol;

public sealed class IdentityTests
{
    [Theory]
    [InlineData("us-east-1-prod/cardano-bp-0", "us-east-1-prod", "cardano-bp-0")]
    [InlineData("eu-west-1-prod/cardano-bp-1", "eu-west-1-prod", "cardano-bp-1")]
    public void Node_identity_is_cluster_slash_pod(string text, string cluster, string pod)
    {
        var id = NodeId.Parse(text);
        Assert.Equal((cluster, pod), (id.Cluster, id.Pod));
        Assert.Equal(text, id.ToString());
    }

    [Theory]
    [InlineData("cardano-bp-0")]
    [InlineData("/cardano-bp-0")]
    [InlineData("a/b/c")]
    [InlineData("US-East/bp")]
    [InlineData("")]
    public void Bad_identities_are_refused_with_a_message(string text)
    {
        Assert.False(NodeId.TryParse(text, out _, out var error));
        Assert.Contains(text, error);
    }

    [Fact]
    public void Same_pod_in_two_clusters_are_different_nodes() =>
        Assert.NotEqual(NodeId.Parse("us-east-1-prod/cardano-bp-0"), NodeId.Parse("us-west-2-prod/cardano-bp-0"));

    [Fact]
    public void Terms_order_by_counter_then_proposer()
    {
        var a = new TermId(5, "b");
        Assert.True(new TermId(6, "a") > a);
        Assert.True(new TermId(5, "c") > a);
        Assert.True(TermId.None < new TermId(1, ""));
        Assert.Equal(new TermId(6, "x"), TermId.Next(a, "x"));
    }

    [Theory]
    [InlineData(100, 100, 10, true)]
    [InlineData(90, 100, 10, true)]
    [InlineData(89, 100, 10, false)]
    [InlineData(105, 100, 10, true)]
    [InlineData(-1, 100, 10, false)]
    public void Synced_means_tip_within_the_lag(long tip, long current, int lag, bool synced) =>
        Assert.Equal(synced, SyncDefinition.IsSynced(tip, current, lag));
}
