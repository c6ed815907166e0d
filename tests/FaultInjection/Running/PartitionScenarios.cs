namespace Forge.FaultInjection.Running;

/// <summary>Network partitions between regions (sandbox --region-netns, nft in the regions' namespaces), each held for
/// the pause plus one grant TTL (so the majority side has time to fail over during the partition), then healed.</summary>
public static partial class Scenarios
{
    private static Scenario[] NetworkScenarios =>
    [
        new("partition-isolate-forger-region", "2-vs-1: the forger's region cut off from both others, both directions",
            c => PartitionAsync(c, "forger's region isolated", (all, f) => Isolate(f, all)), Needs.RegionNetns),
        new("partition-isolate-region-1", "the first region (priority 1) isolated from both others",
            c => PartitionAsync(c, "region 1 isolated", (all, _) => Isolate(all[0], all)), Needs.RegionNetns),
        new("partition-isolate-region-2", "the second region isolated from both others",
            c => PartitionAsync(c, "region 2 isolated", (all, _) => Isolate(all[Math.Min(1, all.Count - 1)], all)), Needs.RegionNetns),
        new("partition-isolate-region-3", "the third region isolated from both others",
            c => PartitionAsync(c, "region 3 isolated", (all, _) => Isolate(all[Math.Min(2, all.Count - 1)], all)), Needs.RegionNetns),
        new("partition-all-apart", "every region cut off from every other (no majority anywhere)",
            c => PartitionAsync(c, "all regions apart", (all, _) => [.. all.SelectMany(a => all.Where(b => b != a).Select(b => new Cut(a, b)))]),
            Needs.RegionNetns),
        new("partition-oneway-from-forger", "asymmetric: packets from the forger's region to the others dropped, the other way delivered",
            c => PartitionAsync(c, "forger's region → others dropped", (all, f) => [.. all.Where(o => o != f).Select(o => new Cut(f, o))]),
            Needs.RegionNetns),
        new("partition-oneway-to-forger", "asymmetric: packets from the other regions to the forger's dropped, the other way delivered",
            c => PartitionAsync(c, "others → forger's region dropped", (all, f) => [.. all.Where(o => o != f).Select(o => new Cut(o, f))]),
            Needs.RegionNetns),
    ];

    internal static List<Cut> Isolate(RegionEntry region, IReadOnlyList<RegionEntry> all) =>
        [.. all.Where(o => o != region).SelectMany(o => new[] { new Cut(region, o), new Cut(o, region) })];

    /// <summary>Whether <paramref name="region"/> still reaches a majority of regions (itself included) both ways. When it
    /// does not, its forger cannot renew its grant (quorum of the regions' replicas): forging must stop there before the
    /// partition heals, or the partition did not take effect.</summary>
    internal static bool KeepsMajority(RegionEntry region, IReadOnlyList<RegionEntry> all, IReadOnlyList<Cut> cuts)
    {
        var reachable = all.Count(o => o != region && !cuts.Any(c => c.From == region && c.To == o || c.From == o && c.To == region));
        return 1 + reachable > all.Count / 2;
    }

    private static async Task<Fault> PartitionAsync(FaultContext c, string what,
        Func<IReadOnlyList<RegionEntry>, RegionEntry, IReadOnlyList<Cut>> cutsOf)
    {
        var all = c.Manifest.Regions;
        var forgerRegion = all.First(r => r.Nodes.Any(n => n.Id == c.Forger.Id));
        var cuts = cutsOf(all, forgerRegion);
        var hold = c.PauseFor + c.GrantTtl;
        using var armed = NetworkFaults.Arm(cuts);
        var at = Native.MonoNow();
        var installed = 0.0;
        try
        {
            armed.Fire();
            // failover is measured from `at` (before the first rule is written); say how long until the last was in
            installed = (Native.MonoNow() - at) / 1e9;
            await Task.Delay(hold).ConfigureAwait(false); // the partition held is the fault itself, not a wait for a condition
        }
        finally
        {
            NetworkFaults.Heal(c.Manifest);
        }
        var healedAfter = (Native.MonoNow() - at) / 1e9;
        var described = string.Join(", ", cuts.Select(x => $"{x.From.Region}→{x.To.Region}"));
        var minority = !KeepsMajority(forgerRegion, all, cuts);
        return new Fault($"{what} (forger {c.Forger.Id}{(minority ? ", its region without a majority" : "")}; dropped {described}) " +
                         $"for {hold.TotalSeconds:0.#} s (every rule in after {installed:0.00} s), healed after {healedAfter:0.0} s",
            at, [], at, ExpectMove: minority) { HealedMono = at + (long)(healedAfter * 1e9) };
    }
}
