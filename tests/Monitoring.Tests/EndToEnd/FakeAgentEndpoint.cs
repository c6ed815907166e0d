using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Forge.Monitoring.Tests.EndToEnd;

/// <summary>An HTTP endpoint serving a settable Prometheus text body on /metrics, as an agent would.</summary>
internal sealed class FakeAgentEndpoint : IDisposable
{
    private readonly HttpListener _listener = new();
    private volatile string _body = "";

    public FakeAgentEndpoint()
    {
        Port = FreePort();
        _listener.Prefixes.Add($"http://127.0.0.1:{Port}/");
        _listener.Start();
        _ = Task.Run(ServeAsync);
    }

    public int Port { get; }

    public string MetricsUrl => $"http://127.0.0.1:{Port}/metrics";

    public string Body { set => _body = value; }

    public static int FreePort()
    {
        var socket = new TcpListener(IPAddress.Loopback, 0);
        socket.Start();
        var port = ((IPEndPoint)socket.LocalEndpoint).Port;
        socket.Stop();
        return port;
    }

    public void Dispose() => _listener.Close();

    private async Task ServeAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync().ConfigureAwait(false);
            }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }

            var bytes = Encoding.UTF8.GetBytes(_body);
            context.Response.ContentType = "text/plain; version=0.0.4";
            context.Response.ContentLength64 = bytes.Length;
            await context.Response.OutputStream.WriteAsync(bytes).ConfigureAwait(false);
            context.Response.Close();
        }
    }
}
