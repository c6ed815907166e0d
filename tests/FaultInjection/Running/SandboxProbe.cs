using System.Globalization;
using Forge.FaultInjection.Checking;

namespace Forge.FaultInjection.Running;

/// <summary>What the runner asks of a running sandbox: who forges (from the forge logs, the ground truth), who hosts the
/// arbiter (a coordinator's /metrics), whether every process is back.</summary>
public sealed class SandboxProbe(SandboxProcess sandbox) : IDisposable
{
    private static readonly long Second = 1_000_000_000;
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(2) };

    public SandboxProcess Sandbox => sandbox;

    /// <summary>The one node that forged in the last second and also 1.5–2.5 s ago; null if none or several. With
    /// <paramref name="settled"/>: also the only node that forged over that whole window, with no gap above a second in
    /// it, so a fault does not land in the churn after the previous one (a handover still under way, a failback).</summary>
    public NodeEntry? StableForger(TimeSpan? settled = null)
    {
        var now = Native.MonoNow();
        var manifest = sandbox.Manifest();
        var recent = new List<NodeEntry>();
        var steady = new HashSet<string>(StringComparer.Ordinal);
        var window = settled is { } w ? now - (long)(w.TotalSeconds * Second) : now;
        var inWindow = new Dictionary<string, List<long>>(StringComparer.Ordinal);
        foreach (var node in manifest.Nodes)
        {
            var log = ForgeLogReader.Read(node.ForgeLog);
            var slots = log.Entries.Where(e => e.Slot is not null).ToList();
            if (slots.Any(e => e.Mono >= now - Second)) recent.Add(node);
            if (slots.Any(e => e.Mono >= now - 5 * Second / 2 && e.Mono <= now - 3 * Second / 2)) steady.Add(node.Id);
            var mine = slots.Where(e => e.Mono >= window).Select(e => e.Mono).ToList();
            if (mine.Count > 0) inWindow[node.Id] = mine;
        }
        if (recent.Count != 1 || !steady.Contains(recent[0].Id)) return null;
        if (settled is null) return recent[0];
        if (inWindow.Count != 1) return null;
        var marks = inWindow[recent[0].Id].Prepend(window).Append(now).Order().ToList();
        return marks.Zip(marks.Skip(1), (a, b) => b - a).Max() <= Second ? recent[0] : null;
    }

    /// <summary>The coordinator reporting <c>forge_coordinator_arbiter_local 1</c>, or null.</summary>
    public async Task<(RegionEntry Region, CoordinatorEntry Coordinator)?> ArbiterHostAsync()
    {
        foreach (var region in sandbox.Manifest().Regions)
        foreach (var c in region.Coordinators)
        {
            try
            {
                var text = await _http.GetStringAsync(new Uri(c.Metrics)).ConfigureAwait(false);
                var line = text.Split('\n').FirstOrDefault(l => l.StartsWith("forge_coordinator_arbiter_local ", StringComparison.Ordinal));
                if (line is not null && double.Parse(line.Split(' ')[1], CultureInfo.InvariantCulture) >= 1) return (region, c);
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException or FormatException)
            {
            }
        }
        return null;
    }

    /// <summary>Every coordinator of sandbox.json lists every coordinator Up and reachable on <c>/cluster/members</c>: a
    /// coordinator that was downed and restarted by the previous scenario has rejoined. Without this a fault can hit a
    /// cluster still missing a region, and what it measures is the rejoin, not the fault.</summary>
    public async Task<bool> ClusterFormedAsync()
    {
        var coordinators = sandbox.Manifest().Regions.SelectMany(r => r.Coordinators).ToList();
        foreach (var c in coordinators)
        {
            try
            {
                var url = new Uri(new Uri(c.Metrics), "/cluster/members");
                using var doc = System.Text.Json.JsonDocument.Parse(await _http.GetStringAsync(url).ConfigureAwait(false));
                var members = doc.RootElement.GetProperty("members").EnumerateArray()
                    .Count(m => m.GetProperty("status").GetString() == "Up" && m.GetProperty("reachability").GetString() == "reachable");
                if (members != coordinators.Count) return false;
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException or System.Text.Json.JsonException
                                          or KeyNotFoundException or InvalidOperationException)
            {
                return false;
            }
        }
        return true;
    }

    /// <summary>Every agent of sandbox.json says on <c>/startup-status</c> that a coordinator acknowledged its registration.
    /// A standby not yet registered again after the previous scenario (its shard still being allocated after a
    /// coordinator's restart) can be granted only through its link's answers, and what a fault then measures is that
    /// aftermath, not the fault (session 9: a region's agents waited 67 s for their registration).</summary>
    public async Task<bool> AllAgentsRegisteredAsync()
    {
        foreach (var node in sandbox.Manifest().Regions.SelectMany(r => r.Nodes))
        {
            if (node.AgentMetrics is null) continue; // an older sandbox.json: not checked
            try
            {
                var url = new Uri(new Uri(node.AgentMetrics), "/startup-status");
                using var doc = System.Text.Json.JsonDocument.Parse(await _http.GetStringAsync(url).ConfigureAwait(false));
                if (!doc.RootElement.GetProperty("registered").GetBoolean()) return false;
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException or System.Text.Json.JsonException
                                          or KeyNotFoundException or InvalidOperationException)
            {
                return false;
            }
        }
        return true;
    }

    /// <summary>Every process in sandbox.json is alive and running (none stopped): restarts have completed.</summary>
    public bool AllProcessesRunning()
    {
        var m = sandbox.Manifest();
        var pids = m.Regions.SelectMany(r => r.Coordinators.Select(c => c.Pid))
            .Concat(m.Nodes.SelectMany(n => new[] { n.AgentPid, n.FencePid, n.NodePid }));
        return pids.All(p => Native.Alive(p) && Native.State(p) != "T");
    }

    public void Dispose() => _http.Dispose();
}
