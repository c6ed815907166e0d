using System.Globalization;
using System.Text.RegularExpressions;

namespace Forge.Fence.Control;

// The agent <-> fence control protocol, version 1.
//
// Transport: a Unix domain stream socket, <control-dir>/fence.sock, in a directory of mode 0700 owned by the fence's
// user (exec mode: a private temp directory whose socket path reaches the agent as FORGE_FENCE_SOCKET; sidecar mode: a
// directory on a volume shared with the agent's container). The socket itself is 0600. UTF-8 text, one request per
// line ("\n"), one reply line per request, in order. Key material never crosses it: the fence reads the credentials
// from its own source directory.
//
// Requests and replies (times are CLOCK_BOOTTIME nanoseconds, absolute; request ids are [A-Za-z0-9._:-]{1,64}):
//   PING                              -> PONG <now>
//   DEADLINE <deadline> <request-id>  -> OK <request-id>       the fence may forge until <deadline>; replaces any earlier
//                                                             deadline (a later one extends, an earlier one shortens)
//                                     -> ERR <reason>          malformed, or further ahead than the fence accepts
//   DISABLE <request-id>              -> OK <request-id>       the deadline becomes now (if it was later): disable at once
//   STATUS                            -> STATUS state=<on|off|unknown> phase=<starting|up|down> pid=<n|-> deadline=<ns|->
//                                        request=<id|-> signal=<ok|none|error:...> error=<text|-> agent=<pid|-> now=<ns>
//   WATCH                             -> OK watching, then the connection only carries events:
//                                        EVENT state=<on|off|unknown> request=<id|-> at=<ns>   on every verified change
//                                        LOG <one line of the node's stdout, verbatim>
// DEADLINE and DISABLE are acknowledged at once; their effect is reported by STATUS and EVENT only once verified
// (state=on means the node's log and its metrics both said forging is on, after a SIGHUP sent for this request).
// The agent watches the fence with PING: no PONG within its timeout means a stalled fence.
// Anything else -> ERR unknown-command. Lines longer than 4096 bytes close the connection.

/// <summary>A parsed request.</summary>
internal abstract record ControlCommand
{
    private ControlCommand() { }

    public sealed record Ping : ControlCommand;
    public sealed record Deadline(long BootNs, string RequestId) : ControlCommand;
    public sealed record Disable(string RequestId) : ControlCommand;
    public sealed record Status : ControlCommand;
    public sealed record Watch : ControlCommand;
    public sealed record Invalid(string Reason) : ControlCommand;
}

/// <summary>What STATUS reports: the fence loop publishes one immutable snapshot after every change.</summary>
internal sealed record FenceStatus(
    string State,
    string Phase,
    int? Pid,
    long? Deadline,
    string? RequestId,
    string Signal,
    string? Error,
    int? AgentPid = null);

internal static partial class ControlProtocol
{
    public const int MaxLineBytes = 4096;
    public const string SocketFileName = "fence.sock";

    [GeneratedRegex("^[A-Za-z0-9._:-]{1,64}$")]
    private static partial Regex RequestIdPattern();

    public static ControlCommand Parse(string line)
    {
        var parts = line.Trim().Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length == 0) return new ControlCommand.Invalid("empty");
        return (parts[0], parts.Length) switch
        {
            ("PING", 1) => new ControlCommand.Ping(),
            ("STATUS", 1) => new ControlCommand.Status(),
            ("WATCH", 1) => new ControlCommand.Watch(),
            ("DISABLE", 2) when IsRequestId(parts[1]) => new ControlCommand.Disable(parts[1]),
            ("DEADLINE", 3) when IsRequestId(parts[2]) =>
                long.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var ns)
                    ? new ControlCommand.Deadline(ns, parts[2])
                    : new ControlCommand.Invalid("bad-deadline"),
            ("DEADLINE" or "DISABLE", _) => new ControlCommand.Invalid("bad-arguments"),
            _ => new ControlCommand.Invalid("unknown-command"),
        };
    }

    public static string FormatStatus(FenceStatus s, long now) =>
        string.Create(CultureInfo.InvariantCulture,
            $"STATUS state={s.State} phase={s.Phase} pid={Opt(s.Pid)} deadline={Opt(s.Deadline)} request={s.RequestId ?? "-"} " +
            $"signal={s.Signal} error={Token(s.Error)} agent={Opt(s.AgentPid)} now={now}");

    public static string FormatEvent(string state, string? requestId, long at) =>
        string.Create(CultureInfo.InvariantCulture, $"EVENT state={state} request={requestId ?? "-"} at={at}");

    /// <summary>Parses a STATUS reply into its fields (for the agent and the tests).</summary>
    public static IReadOnlyDictionary<string, string> ParseFields(string reply) =>
        reply.Split(' ', StringSplitOptions.RemoveEmptyEntries)
             .Skip(1)
             .Select(p => p.Split('=', 2))
             .Where(kv => kv.Length == 2)
             .ToDictionary(kv => kv[0], kv => kv[1]);

    private static bool IsRequestId(string s) => RequestIdPattern().IsMatch(s);

    private static string Opt(long? v) => v?.ToString(CultureInfo.InvariantCulture) ?? "-";

    private static string Opt(int? v) => v?.ToString(CultureInfo.InvariantCulture) ?? "-";

    /// <summary>Free text as one token: spaces become '_', so the reply stays one line of key=value pairs.</summary>
    private static string Token(string? text) =>
        string.IsNullOrEmpty(text) ? "-" : text.Replace(' ', '_').Replace('\n', '_').Replace('=', ':');
}
