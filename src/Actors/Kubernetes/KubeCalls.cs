using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using k8s.Autorest;

namespace Forge.Kubernetes;

/// <summary>
/// How the coordinators' KubernetesClient classes call the API: one timeout per request, Kubernetes errors mapped to
/// <see cref="KubeApiException"/> (403s name the permission that is missing).
/// </summary>
internal sealed class KubeCalls(string @namespace, TimeSpan requestTimeout, string serviceAccount)
{
    public async Task<T> Call<T>(string verb, Func<CancellationToken, Task<T>> call, CancellationToken ct, TimeSpan? timeout = null)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var limit = timeout ?? requestTimeout;
        if (limit != Timeout.InfiniteTimeSpan) cts.CancelAfter(limit);
        try
        {
            return await call(cts.Token);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            throw new KubeApiException(KubeApiError.Timeout, $"{verb}: no answer within {limit.TotalSeconds:0.#}s");
        }
        catch (HttpOperationException e)
        {
            throw Map(verb, e.Response.StatusCode, e.Response.Content, e);
        }
        catch (HttpRequestException e)
        {
            throw new KubeApiException(KubeApiError.Unavailable, $"{verb}: the Kubernetes API is unreachable: {e.Message}", e);
        }
    }

    public async Task Call(string verb, Func<CancellationToken, Task> call, CancellationToken ct) =>
        await Call<bool>(verb, async c =>
        {
            await call(c);
            return true;
        }, ct);

    public KubeApiException Map(string verb, HttpStatusCode code, string? body, Exception inner)
    {
        var message = StatusMessage(body);
        return code switch
        {
            HttpStatusCode.Forbidden => new KubeApiException(KubeApiError.Forbidden,
                $"RBAC: {serviceAccount} may not {verb} in namespace {@namespace} ({message})", inner),
            HttpStatusCode.NotFound => new KubeApiException(KubeApiError.NotFound, $"{verb}: not found ({message})", inner),
            HttpStatusCode.Conflict => new KubeApiException(KubeApiError.Conflict, $"{verb}: conflict ({message})", inner),
            HttpStatusCode.Gone => new KubeApiException(KubeApiError.Gone, $"{verb}: resource version too old ({message})", inner),
            HttpStatusCode.UnprocessableEntity => new KubeApiException(KubeApiError.Invalid, $"{verb}: invalid ({message})", inner),
            _ => new KubeApiException(KubeApiError.Unavailable, $"{verb}: the Kubernetes API answered {(int)code} ({message})", inner),
        };
    }

    private static string StatusMessage(string? body)
    {
        if (string.IsNullOrWhiteSpace(body)) return "no details";
        try
        {
            return JsonNode.Parse(body)?["message"]?.GetValue<string>() ?? body;
        }
        catch (JsonException)
        {
            return body;
        }
    }
}
