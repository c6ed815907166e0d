using System.Collections.Immutable;
using System.Globalization;
using Forge.Protocol;

namespace Forge.Benchmarks.Scale;

/// <summary>Names of the scale world: pool p has one cluster per region (<c>p000042-us-east-1</c>) with
/// <see cref="NodesPerCluster"/> nodes each (<c>cardano-bp-0</c>, ...). Pool ids have the CRD's bech32 form
/// (<c>pool1</c> + the index's decimal digits written in bech32's alphabet, which has no '1').</summary>
public sealed record ScaleWorldShape(int Pools, ImmutableArray<string> Regions, int NodesPerCluster)
{
    private const string Digits = "023456789a";

    public string Pool(int p) => "pool1" + string.Concat(p.ToString("D6", CultureInfo.InvariantCulture).Select(d => Digits[d - '0']));
    public int PoolIndex(string pool) => pool[5..].Aggregate(0, (n, c) => n * 10 + Digits.IndexOf(c, StringComparison.Ordinal));
    public string Cluster(int p, int r) => $"p{p:D6}-{Regions[r]}";
    public string RegionOf(NodeId node) => node.Cluster[8..];
    public NodeId Node(int p, int r, int n) => new(Cluster(p, r), "cardano-bp-" + n.ToString(CultureInfo.InvariantCulture));
    public int Agents => Pools * Regions.Length * NodesPerCluster;
}
