using System.Text;
using System.Text.Json.Nodes;
using Forge.KubeApiEmulator.Json;
using Forge.KubeApiEmulator.Printing;
using Forge.KubeApiEmulator.Resources;
using Forge.KubeApiEmulator.Selectors;
using Forge.KubeApiEmulator.Storage;
using Microsoft.AspNetCore.Http;

namespace Forge.KubeApiEmulator.Api;

/// <summary>
/// A watch response: 200, chunked, one JSON event per line, flushed per event. Starts from a resourceVersion
/// (replayed from history, or an ERROR 410 event when compacted) or from "now" with synthetic ADDED events.
/// Under <c>as=Table</c> each event carries a one-row Table, as kubectl get --watch expects.
/// </summary>
internal sealed class WatchStream(ResourceService service, FaultSwitch faults, TimeProvider clock)
{
    public async Task RunAsync(
        HttpContext ctx, ResourceKind kind, string? ns, LabelSelector labels, FieldSelector fields,
        string? resourceVersion, int? timeoutSeconds, bool table)
    {
        long? from = null;
        if (!string.IsNullOrEmpty(resourceVersion) && resourceVersion != "0")
        {
            from = long.TryParse(resourceVersion, out var rv)
                ? rv
                : throw ApiException.BadRequest($"invalid resource version: {resourceVersion}");
        }

        ctx.Response.StatusCode = 200;
        ctx.Response.ContentType = table ? TableBuilder.ContentType : "application/json";
        WatchSubscription subscription;
        IReadOnlyList<StoredEvent> backlog;
        try
        {
            (subscription, backlog) = service.Store.Subscribe(kind.Storage, from);
        }
        catch (ApiException gone) when (gone.Code == 410)
        {
            await WriteEventAsync(ctx, "ERROR", gone.ToStatus());
            return;
        }

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(timeoutSeconds is > 0 ? timeoutSeconds.Value : 1800));
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token, ctx.RequestAborted);
        try
        {
            await ctx.Response.StartAsync(linked.Token);
            await ctx.Response.Body.FlushAsync(linked.Token);
            var first = true;
            foreach (var e in backlog)
            {
                first = await SendAsync(ctx, kind, ns, labels, fields, e, table, first, linked.Token) && first;
            }

            await foreach (var e in subscription.Events.Reader.ReadAllAsync(linked.Token))
            {
                await faults.PassAsync(linked.Token);
                first = await SendAsync(ctx, kind, ns, labels, fields, e, table, first, linked.Token) && first;
            }
        }
        catch (OperationCanceledException)
        {
            // timeoutSeconds elapsed or the client went away: the stream simply ends, as the apiserver's does.
        }
        finally
        {
            service.Store.Unsubscribe(subscription);
        }
    }

    /// <returns>True when nothing was sent (so the next event still carries the column definitions).</returns>
    private async Task<bool> SendAsync(
        HttpContext ctx, ResourceKind kind, string? ns, LabelSelector labels, FieldSelector fields,
        StoredEvent e, bool table, bool first, CancellationToken ct)
    {
        if (ns is not null && JsonText.Str(e.Object, "metadata.namespace") != ns)
        {
            return true;
        }

        // As the apiserver's watch cache does: a change that moves an object out of the selector is a DELETED
        // for this watch, one that moves it in is an ADDED.
        var view = EventConversion.FromStorage(kind, e.Object);
        var matchesNow = labels.Matches(view) && fields.Matches(view);
        var matchedBefore = e.Previous is { } p && EventConversion.FromStorage(kind, p) is var before
            && labels.Matches(before) && fields.Matches(before);
        var type = (e.Type, matchedBefore, matchesNow) switch
        {
            ("MODIFIED", true, false) => "DELETED",
            ("MODIFIED", false, true) => "ADDED",
            (_, _, true) => e.Type,
            _ => null,
        };
        if (type is null)
        {
            return true;
        }

        JsonNode payload = table
            ? TableBuilder.Build(kind, [(view, e.Object)], e.ResourceVersion.ToString(), ctx.Request.Query["includeObject"], clock.GetUtcNow(), first)
            : view;
        await WriteEventAsync(ctx, type, payload, ct);
        return false;
    }

    private static async Task WriteEventAsync(HttpContext ctx, string type, JsonNode obj, CancellationToken ct = default)
    {
        var line = JsonText.Serialize(new JsonObject { ["type"] = type, ["object"] = obj.DeepClone() }) + "\n";
        await ctx.Response.Body.WriteAsync(Encoding.UTF8.GetBytes(line), ct);
        await ctx.Response.Body.FlushAsync(ct);
    }
}
