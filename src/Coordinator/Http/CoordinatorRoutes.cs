using System.Text.Json;
using Akka.Actor;
using Akka.Hosting;
using Forge.Arbiter;
using Forge.Cluster;
using Forge.Coordinator.Metrics;
using Forge.Protocol;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Prometheus;

namespace Forge.Coordinator.Http;

/// <summary>
/// The coordinator's HTTP surface, in the spirit of Akka.Management (which cannot run on this registry):
/// <c>/alive</c> (Akka.Hosting liveness checks), <c>/ready</c> (cluster readiness: this member is Up),
/// <c>/cluster/members</c>, <c>/metrics</c>, and the arbiter queries <c>/pools</c> and <c>/pools/{id}</c>.
/// </summary>
public static class CoordinatorRoutes
{
    public static WebApplication MapForgeRoutes(this WebApplication app)
    {
        app.MapHealthChecks("/alive", new HealthCheckOptions { Predicate = c => c.Tags.Contains("liveness"), ResponseWriter = WriteHealth });
        app.MapHealthChecks("/ready", new HealthCheckOptions { Predicate = c => c.Tags.Contains("ready"), ResponseWriter = WriteHealth });
        app.MapGet("/cluster/members", (ActorSystem system) =>
            Results.Json(ClusterMembersView.Of(Akka.Cluster.Cluster.Get(system)), WireCodec.Json));
        app.MapGet("/metrics", async (HttpContext ctx, CoordinatorMetrics metrics) =>
        {
            ctx.Response.ContentType = "text/plain; version=0.0.4; charset=utf-8";
            await metrics.Registry.CollectAndExportAsTextAsync(ctx.Response.Body, ctx.RequestAborted);
        });
        app.MapGet("/pools", async (IRequiredActor<ForgeArbiter> arbiter, ForgeConfiguration fc, CancellationToken ct) =>
        {
            var a = await arbiter.GetAsync(ct);
            return Results.Json(await a.Ask<PoolList>(ListPools.Instance, fc.Coordinator.AskTimeout, ct), WireCodec.Json);
        });
        app.MapGet("/pools/{poolId}", async (string poolId, IRequiredActor<ForgeArbiter> arbiter, ForgeConfiguration fc, CancellationToken ct) =>
        {
            var a = await arbiter.GetAsync(ct);
            return Results.Json(await a.Ask<PoolState>(new GetPoolState(poolId), fc.Coordinator.AskTimeout, ct), WireCodec.Json);
        });
        return app;
    }

    private static Task WriteHealth(HttpContext ctx, HealthReport report)
    {
        ctx.Response.ContentType = "application/json";
        var body = new
        {
            status = report.Status.ToString(),
            checks = report.Entries.ToDictionary(e => e.Key, e => new { status = e.Value.Status.ToString(), description = e.Value.Description }),
        };
        return ctx.Response.WriteAsync(JsonSerializer.Serialize(body, WireCodec.Json));
    }
}
