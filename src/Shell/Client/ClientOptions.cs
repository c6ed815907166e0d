using System.Globalization;

namespace Forge.Shell.Client;

/// <summary>
/// <c>shell [--token-file PATH] [HOST:PORT] [command words...]</c>. Options come first; the first word that parses as
/// HOST:PORT is the host; everything after is the command, passed on as is (so its own <c>--switches</c> are safe).
/// </summary>
public sealed record ClientOptions(string Host, int Port, string? TokenFile, IReadOnlyList<string> Command, bool ShowHelp)
{
    public const string DefaultHost = "127.0.0.1";
    public const int DefaultPort = 9110;

    public const string Usage =
        "usage: forge-coordinator shell [--token-file PATH] [HOST:PORT] [command words...]\n" +
        "  without command words: an interactive prompt (Tab completes, help lists the palettes, exit leaves);\n" +
        "  with them: runs one command and exits 0 on success, 1 on failure, 2 on bad usage.\n" +
        "  Commands are read line by line when stdin is not a terminal.\n" +
        "  HOST:PORT defaults to 127.0.0.1:9110; the token file may also come from FORGE_SHELL_TOKEN_FILE.";

    /// <exception cref="FormatException">Bad options; the message is for the operator.</exception>
    public static ClientOptions Parse(IReadOnlyList<string> args, Func<string, string?> environment)
    {
        string? tokenFile = environment("FORGE_SHELL_TOKEN_FILE") is { Length: > 0 } env ? env : null;
        var i = 0;
        var help = false;
        for (; i < args.Count && args[i].StartsWith('-'); i++)
        {
            switch (args[i])
            {
                case "--token-file" when i + 1 < args.Count:
                    tokenFile = args[++i];
                    break;
                case "-h" or "--help":
                    help = true;
                    break;
                default:
                    throw new FormatException($"unknown option '{args[i]}'");
            }
        }
        var (host, port) = (DefaultHost, DefaultPort);
        if (i < args.Count && TryParseEndpoint(args[i], out var h, out var p))
        {
            (host, port) = (h, p);
            i++;
        }
        return new ClientOptions(host, port, tokenFile, args.Skip(i).ToList(), help);
    }

    /// <summary>HOST:PORT, [IPv6]:PORT.</summary>
    public static bool TryParseEndpoint(string text, out string host, out int port)
    {
        host = "";
        port = 0;
        var colon = text.LastIndexOf(':');
        if (colon <= 0 || !int.TryParse(text.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out port) || port is < 1 or > 65535)
            return false;
        host = text[..colon].Trim('[', ']');
        return host.Length > 0;
    }
}
