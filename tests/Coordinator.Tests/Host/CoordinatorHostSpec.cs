using System.Net;
using System.Text.Json;
using Forge.Coordinator.Tests.Cluster;
using Forge.Coordinator.Tests.MultiNode;
using Microsoft.AspNetCore.Builder;
using Xunit;

namespace Forge.Coordinator.Tests.Host;

/// <summary>The real host (Akka.Hosting + Kestrel) on loopback ports: routes, readiness, members, metrics, arbiter query.</summary>
[Collection("multi-node")]
public sealed class CoordinatorHostSpec : IAsyncLifetime
{
    private readonly int _http = InProcessCoordinator.FreePort();
    private readonly int _remote = InProcessCoordinator.FreePort();
    private WebApplication? _app;
    private readonly HttpClient _client = new() { Timeout = TimeSpan.FromSeconds(5) };

    public async Task InitializeAsync()
    {
        var fc = ForgeConfiguration.FromConfig(SettingsSpec.Defaults(
            "forge.cluster.regions = [us-east-1, us-west-2, eu-west-1]",
            "forge.cluster.region = us-west-2",
            "forge.cluster.witness = on",
            "forge.coordinator.public-hostname = \"127.0.0.1\"",
            "forge.coordinator.hostname = \"127.0.0.1\"",
            $"forge.coordinator.port = {_remote}",
            $"forge.coordinator.http-port = {_http}",
            $"forge.cluster.seed-nodes = [\"akka.tcp://forge@127.0.0.1:{_remote}\"]",
            "forge.arbiter.startup-settle = 200ms",
            "akka.coordinated-shutdown.exit-clr = off",
            "akka.coordinated-shutdown.run-by-clr-shutdown-hook = off",
            "akka.loglevel = WARNING"));
        _app = CoordinatorHost.Build(fc, []);
        await _app.StartAsync();
    }

    public async Task DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }
        _client.Dispose();
    }

    private async Task<(HttpStatusCode Status, string Body)> Get(string path)
    {
        using var r = await _client.GetAsync($"http://127.0.0.1:{_http}{path}");
        return (r.StatusCode, await r.Content.ReadAsStringAsync());
    }

    private async Task<(HttpStatusCode Status, string Body)> Eventually(string path, Func<(HttpStatusCode Status, string Body), bool> ok)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        (HttpStatusCode, string) last = default;
        while (DateTime.UtcNow < deadline)
        {
            try
            {
                last = await Get(path);
                if (ok(last)) return last;
            }
            catch (HttpRequestException)
            {
            }
            catch (TaskCanceledException)
            {
            }
            await Task.Delay(200);
        }
        throw new TimeoutException($"{path} never became as expected; last: {last}");
    }

    [Fact]
    public async Task Serves_alive_ready_members_metrics_and_pool_queries()
    {
        var alive = await Eventually("/alive", r => r.Status == HttpStatusCode.OK);
        Assert.Contains("Healthy", alive.Body);
        await Eventually("/ready", r => r.Status == HttpStatusCode.OK);

        var members = await Eventually("/cluster/members", r => r.Status == HttpStatusCode.OK && r.Body.Contains("\"Up\""));
        using (var doc = JsonDocument.Parse(members.Body))
        {
            var m = doc.RootElement.GetProperty("members")[0];
            Assert.Equal("us-west-2", m.GetProperty("region").GetString());
            Assert.True(m.GetProperty("witness").GetBoolean());
            Assert.Equal("reachable", m.GetProperty("reachability").GetString());
            Assert.True(m.GetProperty("oldest").GetBoolean());
            var roles = m.GetProperty("roles").EnumerateArray().Select(e => e.GetString()).ToList();
            Assert.Contains("coordinator", roles);
            Assert.Contains("region:us-west-2", roles);
            Assert.Contains("witness", roles);
        }

        var metrics = await Eventually("/metrics", r => r.Status == HttpStatusCode.OK && r.Body.Contains("forge_coordinator_arbiter_local 1"));
        Assert.Contains("forge_coordinator_cluster_members{status=\"Up\",role=\"coordinator\"} 1", metrics.Body);
        Assert.Contains("forge_coordinator_cluster_unreachable_members 0", metrics.Body);
        Assert.DoesNotContain("cardano_cluster_", metrics.Body);
        Assert.DoesNotContain("cardano_leader_", metrics.Body);

        var pool = await Eventually("/pools/pool-x", r => r.Status == HttpStatusCode.OK);
        Assert.Contains("\"poolId\":\"pool-x\"", pool.Body);
        Assert.Contains("unknown pool", pool.Body);
        var pools = await Eventually("/pools", r => r.Status == HttpStatusCode.OK);
        Assert.Contains("\"pools\":[]", pools.Body);
    }
}
