using System.Net.Sockets;
using System.Text;
using Forge.Fence.Control;

namespace Forge.NodeSide.Tests.Infrastructure;

/// <summary>A client of the fence's control socket, as the agent will be: one request line, one reply line.</summary>
internal sealed class ControlClient(string socketPath)
{
    public string Send(string request)
    {
        using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        socket.ReceiveTimeout = 10_000; // generous: a loaded CI machine starves processes for seconds
        socket.Connect(new UnixDomainSocketEndPoint(socketPath));
        using var stream = new NetworkStream(socket);
        stream.Write(Encoding.UTF8.GetBytes(request + "\n"));
        using var reader = new StreamReader(stream);
        return reader.ReadLine() ?? throw new IOException("fence closed the connection");
    }

    public IReadOnlyDictionary<string, string> Status() => ControlProtocol.ParseFields(Send("STATUS"));

    public string Deadline(long bootNs, string requestId) => Send($"DEADLINE {bootNs} {requestId}");

    public string Disable(string requestId) => Send($"DISABLE {requestId}");
}
