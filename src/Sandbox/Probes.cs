using System.Globalization;
using System.Net.Sockets;
using System.Text;
using Forge.Native;

namespace Forge.Sandbox;

/// <summary>The fence's control socket, as the agent uses it: one request line, one reply line.</summary>
internal static class FenceControl
{
    /// <summary>STATUS as fields (state, phase, pid, agent, ...), or null when the fence does not answer.</summary>
    public static async Task<IReadOnlyDictionary<string, string>?> StatusAsync(string socketPath, CancellationToken ct)
    {
        if (!File.Exists(socketPath)) return null;
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
            timeout.CancelAfter(TimeSpan.FromSeconds(2));
            using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            await socket.ConnectAsync(new UnixDomainSocketEndPoint(socketPath), timeout.Token);
            await using var stream = new NetworkStream(socket, ownsSocket: false);
            await stream.WriteAsync(Encoding.ASCII.GetBytes("STATUS\n"), timeout.Token);
            using var reader = new StreamReader(stream);
            var line = await reader.ReadLineAsync(timeout.Token);
            return line is null ? null : ParseFields(line);
        }
        catch (Exception e) when (e is IOException or SocketException or OperationCanceledException)
        {
            return null;
        }
    }

    /// <summary>"STATUS a=1 b=2" → {a:1, b:2}.</summary>
    public static IReadOnlyDictionary<string, string> ParseFields(string line)
    {
        var d = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var part in line.Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1))
        {
            var eq = part.IndexOf('=', StringComparison.Ordinal);
            if (eq > 0) d[part[..eq]] = part[(eq + 1)..];
        }
        return d;
    }

    public static int Pid(IReadOnlyDictionary<string, string>? status, string key) =>
        status is not null && status.TryGetValue(key, out var v) && int.TryParse(v, NumberStyles.None, CultureInfo.InvariantCulture, out var pid)
            ? pid : 0;
}

/// <summary>Reads samples out of Prometheus text exposition.</summary>
internal static class PromText
{
    /// <summary>Values of every sample of <paramref name="metric"/> (any labels).</summary>
    public static IEnumerable<double> Values(string text, string metric)
    {
        foreach (var raw in text.Split('\n'))
        {
            var line = raw.Trim();
            if (line.Length == 0 || line[0] == '#' || !line.StartsWith(metric, StringComparison.Ordinal)) continue;
            var rest = line[metric.Length..];
            if (rest.Length == 0 || (rest[0] != '{' && rest[0] != ' ')) continue;
            var value = rest[0] == '{' ? rest[(rest.LastIndexOf('}') + 1)..].Trim() : rest.Trim();
            var space = value.IndexOf(' ', StringComparison.Ordinal);
            if (space > 0) value = value[..space];
            if (double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var v)) yield return v;
        }
    }

    /// <summary>True when the agent says its node is verified forging.</summary>
    public static bool Forging(string text) =>
        Values(text, "cardano_cluster_forge_enabled").Any(v => v >= 1) || Values(text, "cardano_forging_enabled").Any(v => v >= 1);
}

/// <summary>Process facts from /proc.</summary>
internal static class ProcFs
{
    public static bool Alive(int pid) => ProcStat.Alive(pid);

    public static string CommandLine(int pid)
    {
        try
        {
            return File.ReadAllText($"/proc/{pid}/cmdline").Replace('\0', ' ').Trim();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return "";
        }
    }

    /// <summary>The parent chain of <paramref name="pid"/> (not including it).</summary>
    public static HashSet<int> AncestorsOf(int pid)
    {
        var set = new HashSet<int>();
        for (var p = Parent(pid); p > 1 && set.Add(p); p = Parent(p)) { }
        return set;
    }

    public static int Parent(int pid) => ProcStat.Read(pid)?.ParentPid ?? 0;

    /// <summary>When <paramref name="pid"/> started (clock ticks after boot; 0 when it is gone): with the PID, a process
    /// identity that a reused PID does not share.</summary>
    public static long StartTime(int pid) => ProcStat.Read(pid)?.StartTime ?? 0;

    /// <summary>Every live process below <paramref name="pid"/> (children, their children, ...), by their parent PIDs.</summary>
    public static IReadOnlyList<int> Descendants(int pid)
    {
        var parents = new Dictionary<int, int>();
        foreach (var d in Directory.EnumerateDirectories("/proc"))
        {
            if (int.TryParse(Path.GetFileName(d), NumberStyles.None, CultureInfo.InvariantCulture, out var p) && Parent(p) is > 0 and var parent)
                parents[p] = parent;
        }
        var found = new List<int>();
        var frontier = new Queue<int>([pid]);
        while (frontier.TryDequeue(out var next))
        {
            foreach (var child in parents.Where(kv => kv.Value == next).Select(kv => kv.Key))
            {
                if (Alive(child)) found.Add(child);
                frontier.Enqueue(child);
            }
        }
        return found;
    }

    /// <summary>Live processes (not <paramref name="except"/>) whose command line contains <paramref name="text"/>.</summary>
    public static IReadOnlyList<int> WithCommandLineContaining(string text, int except)
    {
        var found = new List<int>();
        foreach (var d in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(d), NumberStyles.None, CultureInfo.InvariantCulture, out var pid) || pid == except) continue;
            if (CommandLine(pid).Contains(text, StringComparison.Ordinal) && Alive(pid)) found.Add(pid);
        }
        return found;
    }
}
