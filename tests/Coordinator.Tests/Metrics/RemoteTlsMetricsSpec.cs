using Forge.Cluster;
using Forge.Coordinator.Metrics;
using Xunit;

namespace Forge.Coordinator.Tests.Metrics;

/// <summary>Failed TLS handshakes between coordinators (<see cref="RemoteTlsHandshakeFailed"/>, published by the
/// transport) are counted by direction, both at 0 from the first scrape.</summary>
public sealed class RemoteTlsMetricsSpec() : MetricsFixtures(ClusterSystem)
{
    private const string Outbound = "forge_coordinator_remote_tls_handshake_failures_total{direction=\"outbound\"}";
    private const string Inbound = "forge_coordinator_remote_tls_handshake_failures_total{direction=\"inbound\"}";

    [Fact]
    public async Task Failed_handshakes_are_counted_by_direction()
    {
        var metrics = await ListeningMetrics();
        var first = await Scrape(metrics);
        Assert.Equal((0, 0), (first[Outbound], first[Inbound]));

        Publish(new RemoteTlsHandshakeFailed("127.0.0.1:4053", Outbound: true, "no answer within connection-timeout 15s"));
        Publish(new RemoteTlsHandshakeFailed("127.0.0.1:4053", Outbound: true, "Connection reset by peer"));
        Publish(new RemoteTlsHandshakeFailed("127.0.0.1:51234", Outbound: false, "certificate rejected"));

        await AwaitConditionAsync(async () =>
        {
            var s = await Scrape(metrics);
            return s[Outbound] == 2 && s[Inbound] == 1;
        }, TimeSpan.FromSeconds(10));
    }
}
