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

    /// <summary>Drops every packet of each cut (one direction each; a symmetric partition lists both).</summary>
    public static void Partition(IReadOnlyList<Cut> cuts)
    {
        foreach (var from in cuts.GroupBy(c => c.From.Name))
        {
            var region = from.First().From;
            var targets = string.Join(", ", from.Select(c => c.To.Address).Distinct());
            Apply(region, $"add rule inet {Table} out ip daddr {{ {targets} }} drop");
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
        var info = new ProcessStartInfo("ip")
        {
            UseShellExecute = false, RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true,
        };
        foreach (var a in new[] { "netns", "exec", netns, "nft" }.Concat(command.Split(' '))) info.ArgumentList.Add(a);
        using var p = Process.Start(info) ?? throw new InvalidOperationException("cannot start `ip netns exec`");
        if (stdin is not null) p.StandardInput.Write(stdin);
        p.StandardInput.Close();
        var stderr = p.StandardError.ReadToEndAsync();
        var stdout = p.StandardOutput.ReadToEnd();
        if (!p.WaitForExit(TimeSpan.FromSeconds(20)))
        {
            p.Kill();
            throw new InvalidOperationException($"nft in {netns} timed out");
        }
        if (check && p.ExitCode != 0) throw new InvalidOperationException($"nft in {netns}: {command}: {stdout}{stderr.Result}".Trim());
    }
}
