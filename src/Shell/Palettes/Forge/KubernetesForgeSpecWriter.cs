using System.Net;
using System.Text.Json;
using k8s;
using k8s.Autorest;
using k8s.Models;

namespace Forge.Shell.Palettes.Forge;

/// <summary>
/// <see cref="IForgeSpecWriter"/> through the Kubernetes API: the very request <c>kubectl patch cardanoforgecluster NAME
/// --type=merge -p BODY</c> sends. The CRD projection then sees the change like any operator edit, the arbiter orders
/// it, and the CRDs show the result. Takes the coordinator's configured client (its credentials, timeouts).
/// </summary>
public sealed class KubernetesForgeSpecWriter(IKubernetes client, string @namespace) : IForgeSpecWriter
{
    private const string Group = "cardano.io";
    private const string Version = "v1";
    private const string Plural = "cardanoforgeclusters";

    public async Task PatchAsync(ForgeSpecPatch patch, CancellationToken ct)
    {
        try
        {
            await client.CustomObjects.PatchNamespacedCustomObjectAsync(
                new V1Patch(patch.ToMergePatchJson(), V1Patch.PatchType.MergePatch),
                Group, Version, @namespace, Plural, patch.Cluster, fieldManager: "forge-shell", cancellationToken: ct).ConfigureAwait(false);
        }
        catch (HttpOperationException e)
        {
            var status = StatusMessage(e.Response.Content);
            throw new ForgeSpecWriteException(e.Response.StatusCode switch
            {
                HttpStatusCode.NotFound => $"cardanoforgeclusters.cardano.io \"{patch.Cluster}\" not found in namespace {@namespace}",
                HttpStatusCode.Forbidden => $"forbidden: the coordinator's service account may not patch cardanoforgeclusters in {@namespace} ({status})",
                HttpStatusCode.UnprocessableEntity => $"invalid: {status}",
                var code => $"the Kubernetes API answered {(int)code}: {status}",
            }, e);
        }
        catch (HttpRequestException e)
        {
            throw new ForgeSpecWriteException($"the Kubernetes API is unreachable: {e.Message}", e);
        }
    }

    /// <summary>The message of a Kubernetes Status body, or the body itself.</summary>
    private static string StatusMessage(string? body)
    {
        if (string.IsNullOrWhiteSpace(body)) return "no details";
        try
        {
            using var doc = JsonDocument.Parse(body);
            return doc.RootElement.TryGetProperty("message", out var m) && m.GetString() is { } s ? s : body;
        }
        catch (JsonException)
        {
            return body;
        }
    }
}
