using System.Diagnostics;
using System.Text.Json;

namespace Forge.Monitoring.Tests.EndToEnd;

/// <summary>Instant queries against a running Prometheus, polled until an answer satisfies a condition.</summary>
internal sealed class PrometheusApi(string url, Func<string> diagnostics) : IDisposable
{
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(5) };

    public string Url => url;

    /// <summary>The first result's value, "" when the result is empty.</summary>
    public async Task<string> Query(string query)
    {
        var body = await _http.GetStringAsync($"{url}/api/v1/query?query={Uri.EscapeDataString(query)}");
        using var doc = JsonDocument.Parse(body);
        var result = doc.RootElement.GetProperty("data").GetProperty("result");
        return result.GetArrayLength() == 0 ? "" : result[0].GetProperty("value")[1].GetString() ?? "";
    }

    /// <summary>Polls <paramref name="query"/> until its first value satisfies <paramref name="ok"/>; fails with the last
    /// answer and <paramref name="diagnostics"/> after <paramref name="deadline"/>.</summary>
    public async Task<string> WaitFor(string query, Func<string, bool> ok, TimeSpan deadline, Func<bool>? gone = null)
    {
        var watch = Stopwatch.StartNew();
        var last = "(no answer)";
        while (watch.Elapsed < deadline)
        {
            if (gone?.Invoke() == true) Assert.Fail($"a process the test needs exited:\n{diagnostics()}");
            try
            {
                last = await Query(query);
                if (ok(last)) return last;
            }
            catch (HttpRequestException e)
            {
                last = e.Message;
            }
            catch (TaskCanceledException e)
            {
                last = e.Message;
            }
            await Task.Delay(200);
        }
        Assert.Fail($"{query}: still '{last}' after {deadline}\n{diagnostics()}");
        return last;
    }

    public void Dispose() => _http.Dispose();
}
