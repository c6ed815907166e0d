using System.Collections.Concurrent;
using System.Text;
using Forge.KubeApiEmulator.Json;
using Forge.KubeApiEmulator.Resources;
using Forge.KubeApiEmulator.Storage;
using Microsoft.AspNetCore.Http;

namespace Forge.KubeApiEmulator.Api;

/// <summary>
/// <c>GET pods/{name}/log</c> for registered pods: the container's log file, optionally only its last
/// <c>tailLines</c>, and with <c>follow=true</c> streamed as it grows until the client hangs up.
/// </summary>
internal sealed class PodLogs(ResourceService service)
{
    private static readonly TimeSpan FollowPoll = TimeSpan.FromMilliseconds(200);
    private readonly ConcurrentDictionary<(string Ns, string Pod, string Container), string> _paths = new();

    public void SetPath(string ns, string pod, string container, string path) => _paths[(ns, pod, container)] = path;

    public void Forget(string ns, string pod)
    {
        foreach (var key in _paths.Keys.Where(k => k.Ns == ns && k.Pod == pod))
        {
            _paths.TryRemove(key, out _);
        }
    }

    public async Task ServeAsync(HttpContext ctx, string ns, string pod)
    {
        var obj = service.Get(BuiltInKinds.Pods, ns, pod);
        var names = (JsonText.At(obj, "spec.containers") as System.Text.Json.Nodes.JsonArray ?? [])
            .Select(c => JsonText.Str(c, "name")!).ToList();
        var container = ctx.Request.Query["container"].ToString();
        if (container.Length == 0)
        {
            container = names.Count == 1
                ? names[0]
                : throw ApiException.BadRequest($"a container name must be specified for pod {pod}, choose one of: [{string.Join(" ", names)}]");
        }

        if (!names.Contains(container) || !_paths.TryGetValue((ns, pod, container), out var path))
        {
            throw ApiException.BadRequest($"container {container} is not valid for pod {pod}");
        }

        int? tail = int.TryParse(ctx.Request.Query["tailLines"], out var t) && t >= 0 ? t : null;
        long? limit = long.TryParse(ctx.Request.Query["limitBytes"], out var l) && l > 0 ? l : null;
        var follow = ctx.Request.Query["follow"] is var f && (f == "true" || f == "1");

        ctx.Response.StatusCode = 200;
        ctx.Response.ContentType = "text/plain";
        var (text, offset) = ReadFrom(path, 0);
        if (tail is { } n)
        {
            text = string.Join("", SplitLines(text).TakeLast(n));
        }

        var bytes = Encoding.UTF8.GetBytes(text);
        if (limit is { } max && bytes.Length > max)
        {
            bytes = bytes[..(int)max];
        }

        await ctx.Response.Body.WriteAsync(bytes, ctx.RequestAborted);
        if (!follow)
        {
            return;
        }

        try
        {
            await ctx.Response.Body.FlushAsync(ctx.RequestAborted);
            while (!ctx.RequestAborted.IsCancellationRequested)
            {
                // Polling the file is the stream itself here (tail -f), not a wait for a condition.
                await Task.Delay(FollowPoll, ctx.RequestAborted);
                (text, offset) = ReadFrom(path, offset);
                if (text.Length > 0)
                {
                    await ctx.Response.Body.WriteAsync(Encoding.UTF8.GetBytes(text), ctx.RequestAborted);
                    await ctx.Response.Body.FlushAsync(ctx.RequestAborted);
                }
            }
        }
        catch (OperationCanceledException)
        {
            // the client stopped following
        }
    }

    private static (string Text, long Offset) ReadFrom(string path, long offset)
    {
        if (!File.Exists(path))
        {
            return ("", offset);
        }

        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        if (stream.Length < offset)
        {
            offset = 0; // truncated or rotated
        }

        stream.Seek(offset, SeekOrigin.Begin);
        using var reader = new StreamReader(stream, Encoding.UTF8);
        var text = reader.ReadToEnd();
        return (text, stream.Length);
    }

    private static IEnumerable<string> SplitLines(string text)
    {
        var start = 0;
        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] == '\n')
            {
                yield return text[start..(i + 1)];
                start = i + 1;
            }
        }

        if (start < text.Length)
        {
            yield return text[start..];
        }
    }
}
