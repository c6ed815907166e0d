using System.Collections.Concurrent;
using Microsoft.AspNetCore.Http;

namespace Forge.KubeApiEmulator.Api;

/// <summary>The most recent requests (bounded), newest last.</summary>
internal sealed class RequestLog(TimeProvider clock, int capacity = 10_000)
{
    private readonly ConcurrentQueue<RecordedRequest> _requests = new();

    public void Record(HttpContext ctx)
    {
        _requests.Enqueue(new RecordedRequest(
            clock.GetUtcNow(), ctx.Request.Method, ctx.Request.Path.Value ?? "", ctx.Request.QueryString.Value ?? "",
            ctx.Response.StatusCode, ctx.Request.Headers.UserAgent.ToString()));
        while (_requests.Count > capacity && _requests.TryDequeue(out _))
        {
        }
    }

    public IReadOnlyList<RecordedRequest> Snapshot() => [.. _requests];

    public void Clear() => _requests.Clear();
}
