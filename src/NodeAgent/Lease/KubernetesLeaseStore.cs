using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Forge.NodeAgent.Lease;

/// <summary>
/// The one class that speaks to the Kubernetes API: coordination.k8s.io/v1 Leases (get, create, replace) over plain
/// HttpClient with source-generated JSON, so the agent compiles ahead of time (KubernetesClient is reflection-based).
/// Per-request timeouts; 404 = absent, 409 = lost a race (the caller retries on its next period), 403 explained as
/// missing RBAC. In the cluster: the service account's CA, namespace-less API host from KUBERNETES_SERVICE_HOST/PORT,
/// and its token read again for every request (projected tokens rotate).
/// </summary>
internal sealed class KubernetesLeaseStore(HttpClient http, Func<string?> token, string name, string ns, TimeSpan requestTimeout)
    : ILeaseStore
{
    private const string ServiceAccount = "/var/run/secrets/kubernetes.io/serviceaccount";

    private readonly string _collection = $"apis/coordination.k8s.io/v1/namespaces/{Uri.EscapeDataString(ns)}/leases";

    public static KubernetesLeaseStore Create(string? apiUrl, string name, string ns, TimeSpan requestTimeout)
    {
        if (apiUrl is not null)
            return new KubernetesLeaseStore(new HttpClient { BaseAddress = BaseOf(apiUrl) }, () => null, name, ns, requestTimeout);
        var host = Environment.GetEnvironmentVariable("KUBERNETES_SERVICE_HOST");
        var port = Environment.GetEnvironmentVariable("KUBERNETES_SERVICE_PORT");
        if (string.IsNullOrEmpty(host) || string.IsNullOrEmpty(port))
            throw new InvalidOperationException("not in a cluster (KUBERNETES_SERVICE_HOST/PORT unset) and KUBE_API_URL not set");
        var ca = X509CertificateLoader.LoadCertificateFromFile(Path.Combine(ServiceAccount, "ca.crt"));
        var handler = new SocketsHttpHandler
        {
            SslOptions = new SslClientAuthenticationOptions
            {
                CertificateChainPolicy = new X509ChainPolicy
                {
                    TrustMode = X509ChainTrustMode.CustomRootTrust,
                    CustomTrustStore = { ca },
                    RevocationMode = X509RevocationMode.NoCheck,
                },
            },
        };
        var tokenPath = Path.Combine(ServiceAccount, "token");
        return new KubernetesLeaseStore(new HttpClient(handler) { BaseAddress = BaseOf($"https://{(host.Contains(':') ? $"[{host}]" : host)}:{port}") },
            () => File.ReadAllText(tokenPath).Trim(), name, ns, requestTimeout);
    }

    private static Uri BaseOf(string url) => new(url.EndsWith('/') ? url : url + "/");

    public Task<LeaseRecord?> GetAsync(CancellationToken ct) =>
        Call(HttpMethod.Get, $"{_collection}/{Uri.EscapeDataString(name)}", null, ct);

    public Task<LeaseRecord?> CreateAsync(string holder, TimeSpan duration, CancellationToken ct)
    {
        var now = DateTime.UtcNow;
        return Call(HttpMethod.Post, _collection,
            Body(null, new LeaseSpecDoc(holder, Seconds(duration), Micro(now), Micro(now), 0)), ct);
    }

    public Task<LeaseRecord?> UpdateAsync(LeaseRecord seen, string holder, bool newHolder, TimeSpan duration, CancellationToken ct)
    {
        var now = DateTime.UtcNow;
        return Call(HttpMethod.Put, $"{_collection}/{Uri.EscapeDataString(name)}",
            Body(seen.Version, new LeaseSpecDoc(holder, Seconds(duration), newHolder ? Micro(now) : null, Micro(now),
                newHolder ? seen.Transitions + 1 : seen.Transitions)), ct);
    }

    private LeaseDoc Body(string? version, LeaseSpecDoc spec) =>
        new("coordination.k8s.io/v1", "Lease", new LeaseMetaDoc(name, ns, version), spec);

    /// <summary>Runs one request with a timeout; null for 404 and 409, which the election treats as "not now".</summary>
    private async Task<LeaseRecord?> Call(HttpMethod method, string path, LeaseDoc? body, CancellationToken ct)
    {
        using var bounded = CancellationTokenSource.CreateLinkedTokenSource(ct);
        bounded.CancelAfter(requestTimeout);
        try
        {
            using var request = new HttpRequestMessage(method, path);
            if (token() is { Length: > 0 } t) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", t);
            request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
            if (body is not null)
                request.Content = new ByteArrayContent(JsonSerializer.SerializeToUtf8Bytes(body, LeaseJson.Default.LeaseDoc))
                {
                    Headers = { ContentType = new MediaTypeHeaderValue("application/json") },
                };
            using var response = await http.SendAsync(request, bounded.Token);
            switch (response.StatusCode)
            {
                case HttpStatusCode.NotFound or HttpStatusCode.Conflict:
                    return null;
                case HttpStatusCode.Forbidden or HttpStatusCode.Unauthorized:
                    throw new LeaseStoreException($"forbidden ({(int)response.StatusCode}): the agent's service account needs " +
                        $"get/create/update on coordination.k8s.io leases in namespace {ns}");
                case var code when !response.IsSuccessStatusCode:
                    throw new LeaseStoreException($"lease {ns}/{name}: {method} answered {(int)code} {response.ReasonPhrase}");
            }
            var doc = await JsonSerializer.DeserializeAsync(await response.Content.ReadAsStreamAsync(bounded.Token),
                LeaseJson.Default.LeaseDoc, bounded.Token) ?? throw new LeaseStoreException($"lease {ns}/{name}: empty answer");
            return ToRecord(doc);
        }
        catch (Exception e) when (e is HttpRequestException or JsonException or IOException
                                      or OperationCanceledException && !ct.IsCancellationRequested)
        {
            throw new LeaseStoreException($"lease {ns}/{name}: {e.Message}", e);
        }
    }

    private static int Seconds(TimeSpan t) => Math.Max(1, (int)Math.Ceiling(t.TotalSeconds));

    /// <summary>MicroTime: RFC 3339 in UTC with microseconds, as client-go writes it.</summary>
    private static string Micro(DateTime utc) => utc.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture);

    private static LeaseRecord ToRecord(LeaseDoc l) =>
        new(l.Spec?.HolderIdentity ?? "",
            l.Spec?.RenewTime is { } r ? DateTime.Parse(r, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal) : null,
            l.Spec?.LeaseTransitions ?? 0, l.Metadata?.ResourceVersion ?? "");
}

/// <summary>The API could not be asked (timeout, outage, RBAC): the election fails closed.</summary>
internal sealed class LeaseStoreException : Exception
{
    public LeaseStoreException(string message) : base(message) { }
    public LeaseStoreException(string message, Exception inner) : base(message, inner) { }
}

/// <summary>The fields of a coordination.k8s.io/v1 Lease the election reads and writes.</summary>
internal sealed record LeaseDoc(string? ApiVersion, string? Kind, LeaseMetaDoc? Metadata, LeaseSpecDoc? Spec);

internal sealed record LeaseMetaDoc(
    string? Name,
    [property: JsonPropertyName("namespace")] string? Namespace,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? ResourceVersion);

internal sealed record LeaseSpecDoc(
    string? HolderIdentity,
    int? LeaseDurationSeconds,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? AcquireTime,
    string? RenewTime,
    int? LeaseTransitions);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(LeaseDoc))]
internal sealed partial class LeaseJson : JsonSerializerContext;
