using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Forge.StandIn.Output;

/// <summary>
/// A tiny HTTP/1.0-style server on 127.0.0.1 for <c>GET /metrics</c> (Prometheus text). One dedicated thread, one
/// request per connection: the stand-in must stay light, and ASP.NET would dwarf it.
/// </summary>
internal sealed class MetricsServer : IDisposable
{
    private readonly TcpListener _listener;
    private readonly Func<string> _render;
    private readonly Thread _thread;
    private volatile bool _stopping;

    public MetricsServer(int port, Func<string> render)
    {
        _render = render;
        _listener = new TcpListener(IPAddress.Loopback, port);
        _listener.Start();
        Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
        _thread = new Thread(Serve) { IsBackground = true, Name = "metrics" };
        _thread.Start();
    }

    public int Port { get; }

    private void Serve()
    {
        while (!_stopping)
        {
            try
            {
                using var client = _listener.AcceptTcpClient();
                client.ReceiveTimeout = 1000;
                client.SendTimeout = 1000;
                Handle(client.GetStream());
            }
            catch (Exception e) when (e is SocketException or IOException or ObjectDisposedException or InvalidOperationException)
            {
                // a broken client never stops the server; a disposed listener ends the loop
            }
        }
    }

    private void Handle(NetworkStream stream)
    {
        var request = new StringBuilder();
        var buffer = new byte[1024];
        while (!request.ToString().Contains("\r\n\r\n", StringComparison.Ordinal) && request.Length < 8192)
        {
            var n = stream.Read(buffer);
            if (n == 0) break;
            request.Append(Encoding.ASCII.GetString(buffer, 0, n));
        }
        var firstLine = request.ToString().Split("\r\n")[0];
        var ok = firstLine.StartsWith("GET /metrics", StringComparison.Ordinal);
        var body = ok ? _render() : "not found\n";
        var bodyBytes = Encoding.UTF8.GetBytes(body);
        var head = $"HTTP/1.1 {(ok ? "200 OK" : "404 Not Found")}\r\nContent-Type: text/plain; version=0.0.4\r\n" +
                   $"Content-Length: {bodyBytes.Length}\r\nConnection: close\r\n\r\n";
        stream.Write(Encoding.ASCII.GetBytes(head));
        stream.Write(bodyBytes);
    }

    public void Dispose()
    {
        _stopping = true;
        _listener.Stop();
    }
}
