using System.Collections.Immutable;

namespace Forge.Health;

/// <summary>Result of one probe: 2xx = healthy; anything else (status, timeout, connection error) is a failure.</summary>
public sealed record ProbeResult(bool Healthy, string Message);

/// <summary>The one I/O a health actor does, behind a narrow interface (fakes in tests).</summary>
public interface IHealthProbe
{
    Task<ProbeResult> ProbeAsync(Uri endpoint, ImmutableDictionary<string, string> headers, TimeSpan timeout, CancellationToken ct);
}

/// <summary>HTTP GET with <see cref="HttpClient"/>; the timeout is per request.</summary>
public sealed class HttpHealthProbe(HttpClient client) : IHealthProbe
{
    public async Task<ProbeResult> ProbeAsync(Uri endpoint, ImmutableDictionary<string, string> headers, TimeSpan timeout, CancellationToken ct)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
        cts.CancelAfter(timeout);
        using var request = new HttpRequestMessage(HttpMethod.Get, endpoint);
        foreach (var (name, value) in headers)
            if (!request.Headers.TryAddWithoutValidation(name, value))
                return new ProbeResult(false, $"header '{name}' cannot be sent");
        try
        {
            using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cts.Token).ConfigureAwait(false);
            var code = (int)response.StatusCode;
            return code is >= 200 and < 300
                ? new ProbeResult(true, $"HTTP {code}")
                : new ProbeResult(false, $"HTTP {code} from {endpoint}");
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            return new ProbeResult(false, $"timed out after {timeout.TotalSeconds:0.###}s: {endpoint}");
        }
        catch (HttpRequestException e)
        {
            return new ProbeResult(false, $"{e.Message} ({endpoint})");
        }
    }
}
