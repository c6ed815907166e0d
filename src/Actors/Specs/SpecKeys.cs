using Akka.DistributedData;

namespace Forge.Specs;

/// <summary>DistributedData keys of the replicated specs: one LWW map per pool, and a set of pool ids.</summary>
public static class SpecKeys
{
    public static readonly ORSetKey<string> Pools = new("forge-pools");

    public static LWWDictionaryKey<string, SpecEntry> Pool(string poolId) => new("forge-specs-" + poolId);

    public static string? PoolIdOf(IKey key) =>
        key.Id.StartsWith("forge-specs-", StringComparison.Ordinal) ? key.Id["forge-specs-".Length..] : null;
}
