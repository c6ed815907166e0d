using Forge.Coordinator.Metrics;
using Forge.PodFence;
using Xunit;

namespace Forge.Coordinator.Tests.Metrics;

/// <summary>Pod fences (<see cref="PodFenceCompleted"/>, published by the fence actor) are counted per cluster, pod and
/// outcome; a pod's every outcome exists at 0 from its first fence.</summary>
public sealed class PodFenceMetricsSpec() : MetricsFixtures(ClusterSystem)
{
    private static string Series(string pod, string outcome) =>
        $"forge_pod_fence_total{{cluster=\"us-east-1-prod\",pod=\"{pod}\",outcome=\"{outcome}\"}}";

    [Fact]
    public async Task Fences_are_counted_by_cluster_pod_and_outcome()
    {
        var metrics = await ListeningMetrics();
        Assert.DoesNotContain((await Scrape(metrics)).Keys, k => k.StartsWith("forge_pod_fence_total", StringComparison.Ordinal));

        Publish(new PodFenceCompleted(Node("us-east-1-prod"), PodFenceOutcome.Confirmed));
        Publish(new PodFenceCompleted(Node("us-east-1-prod"), PodFenceOutcome.Unconfirmed));
        Publish(new PodFenceCompleted(Node("us-east-1-prod"), PodFenceOutcome.Unconfirmed));
        Publish(new PodFenceCompleted(Node("us-east-1-prod", "cardano-bp-1"), PodFenceOutcome.Failed));

        await AwaitConditionAsync(async () =>
        {
            var s = await Scrape(metrics);
            return s.GetValueOrDefault(Series("cardano-bp-0", "unconfirmed")) == 2 && s.GetValueOrDefault(Series("cardano-bp-1", "failed")) == 1;
        }, TimeSpan.FromSeconds(10));
        var scrape = await Scrape(metrics);
        Assert.Equal(1, scrape[Series("cardano-bp-0", "confirmed")]);
        foreach (var zero in new[] { "failed", "conflict", "gone" }) Assert.Equal(0, scrape[Series("cardano-bp-0", zero)]);
        Assert.Equal(0, scrape[Series("cardano-bp-1", "confirmed")]);
    }
}
