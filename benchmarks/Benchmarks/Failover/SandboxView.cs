using System.Globalization;
using System.Text.Json;

namespace Forge.Benchmarks.Failover;

/// <summary>What the failover benchmark reads from a running sandbox: <c>sandbox.json</c> (current PIDs, metrics URLs,
/// forge logs) and the forge logs (one file per node; a forged slot is a line with <c>slot</c>; <c>mono</c> is
/// CLOCK_MONOTONIC in ns, the clock <see cref="System.Diagnostics.Stopwatch"/> reads on Linux).</summary>
public sealed record SandboxView(IReadOnlyList<SandboxView.Node> Nodes, IReadOnlyList<SandboxView.Coordinator> Coordinators)
{
    public sealed record Node(string Id, string Region, int NodePid, int AgentPid, int FencePid, string ForgeLog);

    public sealed record Coordinator(string Region, int Pid, string Metrics);

    public sealed record Forged(string Node, long Slot, long Mono);

    public static SandboxView Load(string dir)
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "sandbox.json")));
        var nodes = new List<Node>();
        var coordinators = new List<Coordinator>();
        foreach (var region in doc.RootElement.GetProperty("regions").EnumerateArray())
        {
            var name = region.GetProperty("region").GetString()!;
            foreach (var c in region.GetProperty("coordinators").EnumerateArray())
                coordinators.Add(new Coordinator(name, c.GetProperty("pid").GetInt32(), c.GetProperty("metrics").GetString()!));
            foreach (var n in region.GetProperty("nodes").EnumerateArray())
                nodes.Add(new Node(n.GetProperty("id").GetString()!, name, n.GetProperty("nodePid").GetInt32(), n.GetProperty("agentPid").GetInt32(),
                    n.GetProperty("fencePid").GetInt32(), n.GetProperty("forgeLog").GetString()!));
        }
        return new SandboxView(nodes, coordinators);
    }

    /// <summary>Every forged slot of every node, by monotonic time.</summary>
    public List<Forged> ForgedSlots()
    {
        var all = new List<Forged>();
        foreach (var n in Nodes)
        {
            if (!File.Exists(n.ForgeLog)) continue;
            using var stream = new FileStream(n.ForgeLog, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            using var reader = new StreamReader(stream);
            while (reader.ReadLine() is { } line)
            {
                if (!line.EndsWith('}')) continue; // a line being written
                using var e = JsonDocument.Parse(line);
                if (e.RootElement.TryGetProperty("slot", out var slot))
                    all.Add(new Forged(n.Id, slot.GetInt64(), e.RootElement.GetProperty("mono").GetInt64()));
            }
        }
        return [.. all.OrderBy(f => f.Mono)];
    }

    /// <summary>Every process of one region: its coordinators, agents, fences and nodes (a region crash).</summary>
    public IEnumerable<int> RegionPids(string region) =>
        Coordinators.Where(c => c.Region == region).Select(c => c.Pid)
            .Concat(Nodes.Where(n => n.Region == region).SelectMany(n => new[] { n.NodePid, n.AgentPid, n.FencePid }));

    /// <summary>Every coordinator sees every coordinator Up and reachable (a killed region has rejoined), from
    /// <c>/cluster/members</c> on the metrics port.</summary>
    public async Task<bool> ClusterFormed(HttpClient http)
    {
        foreach (var c in Coordinators)
        {
            try
            {
                using var members = JsonDocument.Parse(await http.GetStringAsync(new Uri(new Uri(c.Metrics), "/cluster/members")));
                if (members.RootElement.GetProperty("members").EnumerateArray().Count(m =>
                        m.GetProperty("status").GetString() == "Up" && m.GetProperty("reachability").GetString() == "reachable") != Coordinators.Count)
                    return false;
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException or JsonException or KeyNotFoundException)
            {
                return false;
            }
        }
        return true;
    }

    /// <summary>The coordinator whose /metrics says it hosts the ForgeArbiter, or null.</summary>
    public async Task<Coordinator?> ArbiterHost(HttpClient http)
    {
        foreach (var c in Coordinators)
        {
            try
            {
                var text = await http.GetStringAsync(c.Metrics);
                if (text.Split('\n').Any(l => l.StartsWith("forge_coordinator_arbiter_local", StringComparison.Ordinal)
                                              && double.Parse(l.Split(' ')[^1], CultureInfo.InvariantCulture) == 1)) return c;
            }
            catch (HttpRequestException)
            {
            }
            catch (TaskCanceledException)
            {
            }
        }
        return null;
    }
}
