using Forge.Protocol;

namespace Forge.Grants.Tests;

/// <summary>Values the pure-rule specs share (production timing: TTL 5 s, margin 0.5 s, drift 100,000 ppm).</summary>
internal static class GrantTestData
{
    public static readonly GrantTiming Timing = new(TimeSpan.FromMilliseconds(500), 100_000);
    public static readonly TimeSpan Ttl = TimeSpan.FromSeconds(5);
    public static readonly NodeId N0 = new("c0", "bp-0");
    public static readonly NodeId N1 = new("c1", "bp-0");
    public static readonly Guid I0 = Guid.NewGuid();
    public static readonly Guid I1 = Guid.NewGuid();
    public static readonly ReplicaState Empty = ReplicaState.Fresh with { Recovering = false };

    public static TimeSpan S(double seconds) => TimeSpan.FromSeconds(seconds);
}
