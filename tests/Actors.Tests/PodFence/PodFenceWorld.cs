using System.Collections.Immutable;
using Forge.Grants;
using Forge.PodFence;
using Forge.Protocol;

namespace Forge.Tests.PodFence;

/// <summary>Quiet-term answers and settings for the pod fence's tests.</summary>
internal static class PodFenceWorld
{
    public const string Own = "us-east-1-prod";
    public const string Other = "us-west-2-prod";
    public static readonly TimeSpan Ttl = TimeSpan.FromSeconds(5);

    public static PodFenceSettings Settings(TimeSpan? confirmWithin = null, TimeSpan? poll = null) =>
        new(true, 0.6, poll ?? TimeSpan.FromMilliseconds(500), TimeSpan.FromSeconds(1), confirmWithin ?? TimeSpan.FromSeconds(15), Ttl);

    public static Guid Incarnation(int i) => new(i, 0, 0, new byte[8]);

    public static ReplicaQuietTerm Quiet(string pool, long term, string cluster, string pod, int incarnation = 1, double quietSeconds = 3.2,
        bool released = false) =>
        new(pool, new TermId(term, "us-east-1/c:4053"), new NodeId(cluster, pod), Incarnation(incarnation), Ttl, released,
            TimeSpan.FromSeconds(quietSeconds));

    public static ReplicaQuietTerms Answer(params ReplicaQuietTerm[] terms) => new("us-east-1", false, [.. terms], 1);

    public static ReplicaQuietTerms Recovering() => new("us-east-1", true, [], 1);
}
