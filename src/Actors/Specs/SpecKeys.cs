using Akka.DistributedData;

namespace Forge.Specs;

/// <summary>DistributedData keys of the replicated specs: one LWW map per pool, one LWW map per pool of the copies each
/// region's projection saw (<see cref="CopySeen"/>), and a set of pool ids.</summary>
public static class SpecKeys
{
    public static readonly ORSetKey<string> Pools = new("forge-pools");

    public static LWWDictionaryKey<string, SpecEntry> Pool(string poolId) => new("forge-specs-" + poolId);

    public static LWWDictionaryKey<string, CopySeen> Copies(string poolId) => new("forge-copies-" + poolId);

    public static string? PoolIdOf(IKey key) =>
        key.Id.StartsWith("forge-specs-", StringComparison.Ordinal) ? key.Id["forge-specs-".Length..] : null;

    public static string? CopiesPoolIdOf(IKey key) =>
        key.Id.StartsWith("forge-copies-", StringComparison.Ordinal) ? key.Id["forge-copies-".Length..] : null;
}
