using Forge.Decider;
using Forge.Protocol;

namespace Forge.Specs;

/// <summary>
/// One CardanoForgeCluster's spec as replicated to every coordinator (Akka.DistributedData, in memory; last writer
/// wins per cluster name). A deleted resource leaves a tombstone (<see cref="Deleted"/>) so that a late update from
/// another region cannot bring it back. Safety never rests on this data: it only decides who <em>should</em> forge.
/// </summary>
/// <param name="Generation">metadata.generation of the resource (for observedGeneration).</param>
/// <param name="FirstSeen">When a coordinator first saw the resource (creation times differ per region).</param>
/// <param name="Source">Who wrote it (e.g. the projection of region us-east-1).</param>
public sealed record SpecEntry(
    string PoolId,
    string ClusterName,
    ClusterSpec? Spec,
    bool Deleted,
    long Generation,
    DateTimeOffset FirstSeen,
    DateTimeOffset UpdatedAt,
    string Source) : IForgeWireMessage;
