using System.Globalization;
using System.Net.Sockets;
using System.Text;
using System.Text.RegularExpressions;

namespace Forge.Fence.Control;

/// <summary>
/// <c>forge-fence ctl SOCKET LINE</c>: sends one request and prints the reply (exit 0 unless the reply is ERR or the
/// fence cannot be reached). A token <c>now+MS</c> in the line becomes CLOCK_BOOTTIME now + MS ms, so an operator or a
/// script can write <c>DEADLINE now+5000 manual-1</c>. For people and scripts; the agent speaks the protocol itself.
/// </summary>
internal static partial class ControlCli
{
    [GeneratedRegex(@"\bnow\+(\d+)\b")]
    private static partial Regex RelativeTime();

    public static int Run(IReadOnlyList<string> args)
    {
        if (args.Count != 3)
        {
            Console.Error.WriteLine("usage: forge-fence ctl SOCKET \"PING|STATUS|DEADLINE <ns|now+MS> <id>|DISABLE <id>\"");
            return 2;
        }
        var line = RelativeTime().Replace(args[2], m =>
            (FenceLoop.Now() + long.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture) * 1_000_000)
            .ToString(CultureInfo.InvariantCulture));
        try
        {
            using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            socket.ReceiveTimeout = 2000;
            socket.Connect(new UnixDomainSocketEndPoint(args[1]));
            using var stream = new NetworkStream(socket);
            stream.Write(Encoding.UTF8.GetBytes(line + "\n"));
            using var reader = new StreamReader(stream);
            var reply = reader.ReadLine() ?? "";
            Console.WriteLine(reply);
            return reply.StartsWith("ERR", StringComparison.Ordinal) || reply.Length == 0 ? 1 : 0;
        }
        catch (Exception e) when (e is SocketException or IOException)
        {
            Console.Error.WriteLine($"forge-fence ctl: {e.Message}");
            return 1;
        }
    }
}
