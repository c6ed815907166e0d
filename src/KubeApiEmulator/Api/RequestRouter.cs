using System.Text.Json.Nodes;
using Forge.KubeApiEmulator.Json;
using Forge.KubeApiEmulator.Printing;
using Forge.KubeApiEmulator.Resources;
using Forge.KubeApiEmulator.Selectors;
using Forge.KubeApiEmulator.Storage;
using Microsoft.AspNetCore.Http;

namespace Forge.KubeApiEmulator.Api;

/// <summary>
/// The single catch-all endpoint: control routes, fault gate, discovery, OpenAPI, then resource paths
/// (<c>/api/v1/...</c>, <c>/apis/{group}/{version}/...</c>) dispatched by verb. Errors become Status bodies.
/// </summary>
internal sealed class RequestRouter(
    ResourceService service, ResourceRegistry registry, FaultSwitch faults, WatchStream watches, PodLogs logs, PodDeletions deletions, RequestLog requests, TimeProvider clock)
{
    public async Task HandleAsync(HttpContext ctx)
    {
        try
        {
            var path = ctx.Request.Path.Value?.TrimEnd('/') ?? "";
            if (path.StartsWith("/_emulator/", StringComparison.Ordinal))
            {
                await ControlAsync(ctx, path);
                return;
            }

            await faults.PassAsync(ctx.RequestAborted);
            await RouteAsync(ctx, path);
        }
        catch (ApiException e)
        {
            if (!ctx.Response.HasStarted)
            {
                await HttpIo.WriteJsonAsync(ctx, e.Code, e.ToStatus());
            }
        }
        catch (OperationCanceledException) when (ctx.RequestAborted.IsCancellationRequested)
        {
            // the client gave up (e.g. while the server was hanging on purpose)
        }
        finally
        {
            requests.Record(ctx);
        }
    }

    private async Task RouteAsync(HttpContext ctx, string path)
    {
        var get = HttpMethods.IsGet(ctx.Request.Method);
        switch (path)
        {
            case "/version" when get:
                await HttpIo.WriteJsonAsync(ctx, 200, DiscoveryDocuments.Version());
                return;
            case "/healthz" or "/livez" or "/readyz" when get:
                ctx.Response.ContentType = "text/plain";
                await ctx.Response.WriteAsync("ok", ctx.RequestAborted);
                return;
            case "/api" when get:
                await HttpIo.WriteJsonAsync(ctx, 200, DiscoveryDocuments.CoreVersions());
                return;
            case "/apis" when get:
                await HttpIo.WriteJsonAsync(ctx, 200, DiscoveryDocuments.Groups(registry));
                return;
            case "/openapi/v3" when get:
                await HttpIo.WriteJsonAsync(ctx, 200, OpenApiDocuments.Root(registry));
                return;
        }

        var segments = path.Split('/', StringSplitOptions.RemoveEmptyEntries);
        if (get && segments.Length >= 4 && segments[0] == "openapi" && segments[1] == "v3")
        {
            var gv = string.Join('/', segments[3..]); // api/v1 -> "v1", apis/g/v -> "g/v"
            var doc = OpenApiDocuments.GroupVersion(registry, gv) ?? throw ApiException.NotFoundGeneric();
            await HttpIo.WriteJsonAsync(ctx, 200, doc);
            return;
        }

        string group, version;
        string[] rest;
        if (segments.Length >= 2 && segments[0] == "api")
        {
            (group, version, rest) = ("", segments[1], segments[2..]);
        }
        else if (segments.Length >= 3 && segments[0] == "apis")
        {
            (group, version, rest) = (segments[1], segments[2], segments[3..]);
        }
        else
        {
            throw ApiException.NotFoundGeneric();
        }

        if (rest.Length == 0)
        {
            var resources = get ? DiscoveryDocuments.Resources(registry, group, version) : null;
            await HttpIo.WriteJsonAsync(ctx, 200, resources ?? throw ApiException.NotFoundGeneric());
            return;
        }

        await ResourceAsync(ctx, group, version, rest);
    }

    private async Task ResourceAsync(HttpContext ctx, string group, string version, string[] rest)
    {
        string? ns = null;
        var namespaceItself = group.Length == 0 && rest[0] == "namespaces" && (rest.Length == 2 || (rest.Length == 3 && rest[2] is "status" or "finalize"));
        if (rest[0] == "namespaces" && rest.Length >= 3 && !namespaceItself)
        {
            ns = rest[1];
            rest = rest[2..];
        }

        if (rest.Length > 3)
        {
            throw ApiException.NotFoundGeneric();
        }

        var kind = registry.Find(group, version, rest[0]) ?? throw ApiException.NotFoundGeneric();
        if (kind.CreateOnly && (rest.Length > 1 || !HttpMethods.IsPost(ctx.Request.Method)))
        {
            throw ApiException.MethodNotAllowed();
        }

        var name = rest.Length > 1 ? rest[1] : null;
        var sub = rest.Length > 2 ? rest[2] : null;
        var method = ctx.Request.Method;
        if ((kind.Namespaced && ns is null && (name is not null || HttpMethods.IsPost(method)))
            || (!kind.Namespaced && ns is not null)
            || (sub is not null && !(sub == "status" && kind.HasStatus) && !kind.ExtraSubresources.Contains(sub)))
        {
            throw ApiException.NotFoundGeneric();
        }

        Authorize(ctx, kind, ns, name, sub);
        var q = ctx.Request.Query;
        var options = new WriteOptions(q["dryRun"] == "All", q["fieldValidation"]);
        var nsOrEmpty = ns ?? "";
        if (name is null)
        {
            await CollectionAsync(ctx, kind, ns, options);
            return;
        }

        if (sub == "log" && HttpMethods.IsGet(method))
        {
            await logs.ServeAsync(ctx, nsOrEmpty, name);
            return;
        }

        var statusOnly = sub == "status";
        if (HttpMethods.IsGet(method))
        {
            var obj = service.Get(kind, nsOrEmpty, name);
            await WriteObjectOrTableAsync(ctx, kind, obj, 200);
        }
        else if (HttpMethods.IsPut(method))
        {
            var body = await HttpIo.ReadObjectAsync(ctx);
            await WriteObjectOrTableAsync(ctx, kind, service.Update(kind, nsOrEmpty, name, body, statusOnly, options), 200);
        }
        else if (HttpMethods.IsPatch(method))
        {
            var mediaType = HttpIo.MediaType(ctx.Request.ContentType);
            var body = await HttpIo.ReadBodyAsync(ctx);
            var (obj, created) = service.Patch(kind, nsOrEmpty, name, mediaType, body, statusOnly, options);
            await WriteObjectOrTableAsync(ctx, kind, obj, created ? 201 : 200);
        }
        else if (HttpMethods.IsDelete(method) && !statusOnly)
        {
            var text = await HttpIo.ReadBodyAsync(ctx);
            var deleteOptions = string.IsNullOrWhiteSpace(text) ? null : JsonText.ParseObject(text);
            await HttpIo.WriteJsonAsync(ctx, 200, kind == BuiltInKinds.Pods
                ? deletions.Delete(nsOrEmpty, name, deleteOptions, options.DryRun)
                : service.Delete(kind, nsOrEmpty, name, deleteOptions));
        }
        else
        {
            throw ApiException.MethodNotAllowed();
        }
    }

    private async Task CollectionAsync(HttpContext ctx, ResourceKind kind, string? ns, WriteOptions options)
    {
        var q = ctx.Request.Query;
        var labels = LabelSelector.Parse(q["labelSelector"]);
        var fields = FieldSelector.Parse(q["fieldSelector"]);
        var method = ctx.Request.Method;
        if (HttpMethods.IsGet(method))
        {
            if (q["watch"] is var w && (w == "true" || w == "1"))
            {
                int? timeout = int.TryParse(q["timeoutSeconds"], out var t) ? t : null;
                await watches.RunAsync(ctx, kind, ns, labels, fields, q["resourceVersion"], timeout, HttpIo.WantsTable(ctx));
                return;
            }

            var (items, rv) = service.List(kind, ns, labels, fields);
            if (HttpIo.WantsTable(ctx))
            {
                var table = TableBuilder.Build(kind, items, rv.ToString(), q["includeObject"], clock.GetUtcNow());
                await HttpIo.WriteJsonAsync(ctx, 200, table, TableBuilder.ContentType);
                return;
            }

            await HttpIo.WriteJsonAsync(ctx, 200, new JsonObject
            {
                ["apiVersion"] = kind.GroupVersion,
                ["kind"] = kind.ListKind,
                ["metadata"] = new JsonObject { ["resourceVersion"] = rv.ToString(), ["continue"] = "" },
                ["items"] = new JsonArray(items.Select(i => (JsonNode?)i.View).ToArray()),
            });
        }
        else if (HttpMethods.IsPost(method) && kind == BuiltInKinds.SelfSubjectAccessReviews)
        {
            var body = HttpIo.MediaType(ctx.Request.ContentType) == "application/vnd.kubernetes.protobuf"
                ? ProtobufAccessReview.Decode(await HttpIo.ReadBytesAsync(ctx))
                : await HttpIo.ReadObjectAsync(ctx);
            await HttpIo.WriteJsonAsync(ctx, 201, AccessReview.Review(service.Store, body, CallerIdentity.Of(ctx)));
        }
        else if (HttpMethods.IsPost(method))
        {
            var body = await HttpIo.ReadObjectAsync(ctx);
            await WriteObjectOrTableAsync(ctx, kind, service.Create(kind, ns ?? "", body, options), 201);
        }
        else if (HttpMethods.IsDelete(method))
        {
            foreach (var (view, _) in service.List(kind, ns, labels, fields).Items)
            {
                service.Delete(kind, JsonText.Str(view, "metadata.namespace") ?? "", ObjectMetadata.Name(view)!, null);
            }

            await HttpIo.WriteJsonAsync(ctx, 200, new JsonObject
            {
                ["kind"] = "Status", ["apiVersion"] = "v1", ["metadata"] = new JsonObject(), ["status"] = "Success",
            });
        }
        else
        {
            throw ApiException.MethodNotAllowed();
        }
    }

    private async Task WriteObjectOrTableAsync(HttpContext ctx, ResourceKind kind, JsonObject obj, int code)
    {
        if (HttpIo.WantsTable(ctx) && obj["kind"]?.GetValue<string>() != "Status")
        {
            var stored = EventConversion.ToStorage(kind, obj);
            var table = TableBuilder.Build(kind, [(obj, stored)], ObjectMetadata.ResourceVersion(obj) ?? "", ctx.Request.Query["includeObject"], clock.GetUtcNow());
            await HttpIo.WriteJsonAsync(ctx, code, table, TableBuilder.ContentType);
            return;
        }

        await HttpIo.WriteJsonAsync(ctx, code, obj);
    }

    /// <summary>RBAC for callers that are not the administrator (a ServiceAccount token or <c>--as</c>): 403 when no rule allows.</summary>
    private void Authorize(HttpContext ctx, ResourceKind kind, string? ns, string? name, string? sub)
    {
        var caller = CallerIdentity.Of(ctx);
        if (caller.IsAdministrator || kind.CreateOnly)
        {
            return;
        }

        var method = ctx.Request.Method;
        var q = ctx.Request.Query;
        var verb = method switch
        {
            _ when HttpMethods.IsGet(method) && name is null => q["watch"] is var w && (w == "true" || w == "1") ? "watch" : "list",
            _ when HttpMethods.IsGet(method) => "get",
            _ when HttpMethods.IsPost(method) => "create",
            _ when HttpMethods.IsPut(method) => "update",
            _ when HttpMethods.IsPatch(method) => "patch",
            _ when HttpMethods.IsDelete(method) => name is null ? "deletecollection" : "delete",
            _ => method.ToLowerInvariant(),
        };
        var request = new ResourceAttributes(ns ?? "", verb, kind.Group, kind.Plural, sub ?? "", name ?? "");
        if (RbacAuthorizer.AllowedBy(service.Store, caller.User, caller.Groups, request) is null)
        {
            throw RbacAuthorizer.Forbidden(kind, caller.User, request);
        }
    }

    /// <summary>Out-of-process test hooks: POST /_emulator/fault?mode=none|unavailable|hang, POST /_emulator/compact.</summary>
    private async Task ControlAsync(HttpContext ctx, string path)
    {
        switch (path)
        {
            case "/_emulator/fault" when HttpMethods.IsPost(ctx.Request.Method)
                                         && Enum.TryParse<FaultMode>(ctx.Request.Query["mode"], ignoreCase: true, out var mode):
                SetFault(mode);
                break;
            case "/_emulator/compact" when HttpMethods.IsPost(ctx.Request.Method):
                service.Store.Compact();
                break;
            default:
                throw ApiException.NotFoundGeneric();
        }

        await HttpIo.WriteJsonAsync(ctx, 200, new JsonObject { ["fault"] = faults.Mode.ToString(), ["resourceVersion"] = service.Store.CurrentResourceVersion.ToString() });
    }

    public void SetFault(FaultMode mode)
    {
        faults.Set(mode);
        if (mode == FaultMode.Unavailable)
        {
            service.Store.CloseAllWatches();
        }
    }
}
