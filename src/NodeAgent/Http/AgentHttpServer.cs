using System.Net;
using System.Text;
using Forge.NodeAgent.Metrics;

namespace Forge.NodeAgent.Http;

/// <summary>
/// The agent's read-only HTTP surface on METRICS_PORT (no authentication, nothing secret): <c>/metrics</c> (Prometheus
/// text), <c>/healthz</c> (the main loop turned recently) and <c>/startup-status</c> (JSON; 200 once started).
/// A small HttpListener rather than ASP.NET Core keeps the agent's memory small.
/// </summary>
internal sealed class AgentHttpServer(int port, AgentMetrics metrics, Func<bool> healthy, Func<(bool Started, string Json)> startup)
    : IAsyncDisposable
{
    private readonly HttpListener _listener = new();
    private readonly CancellationTokenSource _stop = new();
    private Task? _loop;

    public void Start()
    {
        _listener.Prefixes.Add($"http://+:{port}/");
        _listener.Start();
        _loop = Task.Run(ServeAsync);
    }

    private async Task ServeAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            HttpListenerContext ctx;
            try
            {
                ctx = await _listener.GetContextAsync();
            }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }
            _ = Task.Run(() => HandleAsync(ctx));
        }
    }

    private async Task HandleAsync(HttpListenerContext ctx)
    {
        var response = ctx.Response;
        try
        {
            switch (ctx.Request.Url?.AbsolutePath)
            {
                case "/metrics":
                    response.ContentType = "text/plain; version=0.0.4; charset=utf-8";
                    using (var buffer = new MemoryStream())
                    {
                        await metrics.ExportAsync(buffer, _stop.Token);
                        response.ContentLength64 = buffer.Length;
                        buffer.Position = 0;
                        await buffer.CopyToAsync(response.OutputStream, _stop.Token);
                    }
                    break;
                case "/healthz":
                    await Text(response, healthy() ? 200 : 503, healthy() ? "ok\n" : "main loop stalled\n");
                    break;
                case "/startup-status":
                    var (started, json) = startup();
                    response.ContentType = "application/json";
                    await Text(response, started ? 200 : 503, json);
                    break;
                default:
                    await Text(response, 404, "not found\n");
                    break;
            }
        }
        catch (Exception e) when (e is HttpListenerException or IOException or OperationCanceledException or ObjectDisposedException)
        {
            // client went away or shutting down
        }
        finally
        {
            try
            {
                response.Close();
            }
            catch (ObjectDisposedException)
            {
                // already closed
            }
        }
    }

    private static async Task Text(HttpListenerResponse response, int status, string body)
    {
        response.StatusCode = status;
        var bytes = Encoding.UTF8.GetBytes(body);
        response.ContentLength64 = bytes.Length;
        await response.OutputStream.WriteAsync(bytes);
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Close();
        if (_loop is not null) await _loop;
        _stop.Dispose();
    }
}
