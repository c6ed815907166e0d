using System.Net;
using System.Net.Sockets;

namespace Forge.Net;

/// <summary>
/// Loopback ports for processes started later (sandbox, tests), chosen below the kernel's ephemeral range. A port the
/// kernel handed out for a listener on port 0 is an ephemeral port: any outgoing connection on the machine may take it
/// as its source port before the intended process binds it, and a peer that keeps dialling a seed port nobody listens on
/// yet can even connect to itself (TCP simultaneous open), holding the port for good. Ports below the range are never
/// given to outgoing connections. Compiled into each user as a linked file.
/// </summary>
internal static class LoopbackPorts
{
    private const int Floor = 10_000;
    private static readonly object Gate = new();
    private static readonly HashSet<int> Given = [];

    /// <summary>A port free right now on 127.0.0.1, outside the ephemeral range, never returned twice by this process.</summary>
    public static int Next()
    {
        var ceiling = EphemeralLow();
        lock (Gate)
        {
            for (var attempt = 0; attempt < 1000; attempt++)
            {
                var port = Random.Shared.Next(Floor, ceiling);
                if (Given.Contains(port) || !Bindable(port)) continue;
                Given.Add(port);
                return port;
            }
        }
        throw new InvalidOperationException($"no free loopback port in {Floor}..{ceiling - 1} after 1000 tries");
    }

    private static bool Bindable(int port)
    {
        try
        {
            using var s = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            s.Bind(new IPEndPoint(IPAddress.Loopback, port));
            s.Listen(1);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    /// <summary>The first ephemeral port (Linux: /proc/sys/net/ipv4/ip_local_port_range; 32768 where unreadable).</summary>
    private static int EphemeralLow()
    {
        const int fallback = 32_768;
        try
        {
            var first = File.ReadAllText("/proc/sys/net/ipv4/ip_local_port_range").Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries)[0];
            return int.TryParse(first, out var low) && low > Floor + 1000 ? low : fallback;
        }
        catch (IOException)
        {
            return fallback;
        }
        catch (UnauthorizedAccessException)
        {
            return fallback;
        }
    }
}
