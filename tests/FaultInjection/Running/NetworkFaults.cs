using System.Diagnostics;
using System.Text;

namespace Forge.FaultInjection.Running;

/// <summary>One direction of a cut: packets from region <see cref="From"/> to region <see cref="To"/> are dropped.</summary>
public sealed record Cut(RegionEntry From, RegionEntry To);

/// <summary>
/// Network faults in a sandbox started with <c>--region-netns</c>: an nft table <see cref="Table"/> in a region's namespace
/// drops what that region sends to the cut-off regions' addresses (output hook) — established connections included, as
/// on a real link failure — or rejects its connections to the region's API emulator. Tables live in the sandbox's
/// namespaces, so they go when the sandbox removes them, even if the runner dies; <see cref="Heal"/> removes them sooner.
/// </summary>
public static class NetworkFaults
{
    public const string Table = "fsbx_fault";

    /// <summary>
    /// Readies a partition (every packet of each cut dropped; one direction each, a symmetric partition lists both): the
    /// table and chain go in now, and one <c>nft -f -</c> per cutting namespace is started and left waiting on its input,
    /// so <see cref="ArmedPartition.Fire"/> only writes the rules. Spawning <c>ip netns exec … nft</c> at the fault took a
    /// second or more per namespace at load ~40, one namespace after another, and that time counted as failover time.
    /// </summary>
    public static ArmedPartition Arm(IReadOnlyList<Cut> cuts)
    {
        var armed = new List<(Process Nft, string Rule, string Netns)>();
        try
        {
            foreach (var from in cuts.GroupBy(c => c.From.Name))
            {
                var region = from.First().From;
                var targets = string.Join(", ", from.Select(c => c.To.Address).Distinct());
                Apply(region, "");
                armed.Add((Start(region.Netns!, "-f -"), $"add rule inet {Table} out ip daddr {{ {targets} }} drop", region.Netns!));
            }
            return new ArmedPartition(armed);
        }
        catch
        {
            foreach (var a in armed) Kill(a.Nft);
            throw;
        }
    }

    /// <summary>The region's API emulator unreachable from its namespace: new connections refused (TCP reset) and open
    /// ones (watches) reset, as when the API server process is killed.</summary>
    public static void RejectKubeApi(RegionEntry region)
    {
        var api = new Uri(region.KubeApi);
        Apply(region, $"add rule inet {Table} out ip daddr {api.Host} tcp dport {api.Port} reject with tcp reset");
    }

    /// <summary>Removes this runner's table from every region's namespace (absent tables are fine).</summary>
    public static void Heal(Manifest m)
    {
        foreach (var r in m.Regions.Where(r => r.Netns is not null)) Nft(r.Netns!, $"delete table inet {Table}", check: false);
    }

    /// <summary>Creates the table and its output chain in the region's namespace (if absent) and adds the rule, if any.</summary>
    private static void Apply(RegionEntry region, string rule)
    {
        if (region.Netns is null) throw new InvalidOperationException($"{region.Name} has no network namespace (sandbox without --region-netns)");
        var script = new StringBuilder()
            .AppendLine($"add table inet {Table}")
            .AppendLine($"add chain inet {Table} out {{ type filter hook output priority 0; policy accept; }}")
            .AppendLine(rule)
            .ToString();
        Nft(region.Netns, "-f -", check: true, script);
    }

    private static void Nft(string netns, string command, bool check, string? stdin = null)
    {
        using var p = Start(netns, command);
        if (stdin is not null) p.StandardInput.Write(stdin);
        p.StandardInput.Close();
        Finish(p, netns, command, check);
    }

    internal static Process Start(string netns, string command)
    {
        var info = new ProcessStartInfo("ip")
        {
            UseShellExecute = false, RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true,
        };
        foreach (var a in new[] { "netns", "exec", netns, "nft" }.Concat(command.Split(' '))) info.ArgumentList.Add(a);
        return Process.Start(info) ?? throw new InvalidOperationException("cannot start `ip netns exec`");
    }

    internal static void Finish(Process p, string netns, string command, bool check)
    {
        var stderr = p.StandardError.ReadToEndAsync();
        var stdout = p.StandardOutput.ReadToEnd();
        if (!p.WaitForExit(TimeSpan.FromSeconds(20)))
        {
            Kill(p);
            throw new InvalidOperationException($"nft in {netns} timed out");
        }
        if (check && p.ExitCode != 0) throw new InvalidOperationException($"nft in {netns}: {command}: {stdout}{stderr.Result}".Trim());
    }

    internal static void Kill(Process p)
    {
        try
        {
            p.Kill();
        }
        catch (InvalidOperationException)
        {
            // already exited
        }
        p.Dispose();
    }
}

/// <summary>A partition whose <c>nft</c> processes are running and waiting for their rules (<see cref="NetworkFaults.Arm"/>).</summary>
public sealed class ArmedPartition : IDisposable
{
    private readonly List<(Process Nft, string Rule, string Netns)> _armed;

    internal ArmedPartition(List<(Process Nft, string Rule, string Netns)> armed) => _armed = armed;

    /// <summary>Writes every rule (each nft commits its namespace's rule when its input ends) and waits until all are in.</summary>
    public void Fire()
    {
        foreach (var (nft, rule, _) in _armed)
        {
            nft.StandardInput.WriteLine(rule);
            nft.StandardInput.Close();
        }
        foreach (var (nft, rule, netns) in _armed) NetworkFaults.Finish(nft, netns, rule, check: true);
    }

    public void Dispose()
    {
        foreach (var (nft, _, _) in _armed) NetworkFaults.Kill(nft);
    }
}
