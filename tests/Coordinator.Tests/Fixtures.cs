using System.Collections.Immutable;
using Forge.Decider;
using Forge.Nodes;
using Forge.Protocol;
using Forge.Specs;

namespace Forge.Coordinator.Tests;

internal static class Fixtures
{
    public static readonly ImmutableArray<string> Regions = ["eu-west-1", "us-east-1", "us-west-2"];

    public static CredentialFingerprint Creds(long counter = 3, string hash = "aa11") => new(hash, counter, 400, 50);

    public static RegisterAgent Register(NodeId node, Guid incarnation, string pool = "pool1", string region = "us-east-1",
        CredentialFingerprint? creds = null, int version = AgentProtocol.Version) =>
        new(version, pool, node, region, incarnation, creds ?? Creds(), AgentMode.Cluster);

    public static NodeStatusReport Report(NodeId node, Guid inc, long seq, bool alive = true, long tip = 1000, long current = 1002,
        VerifiedForging forging = VerifiedForging.Off, TermId? held = null) =>
        new(node, inc, seq, alive, true, tip, current, forging, SignalOutcome.None, 50, held ?? TermId.None);

    public static SpecEntry Entry(string pool, string cluster, int priority, string region = "us-east-1", HealthCheckSpec? hc = null) =>
        new(pool, cluster, new ClusterSpec(region, priority, HealthCheck: hc), false, 1,
            DateTimeOffset.UnixEpoch.AddMinutes(priority), DateTimeOffset.UnixEpoch, "test");

    public static PoolSpecs Pool(string pool, params SpecEntry[] entries) =>
        new(pool, entries.ToImmutableDictionary(e => e.ClusterName, StringComparer.Ordinal));

    public static NodeSettings NodeSettings(TimeSpan? staleAfter = null) =>
        new(10, staleAfter ?? TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(30), 10, 30, Regions);

    public static NodeView View(string pool, NodeId node, Guid inc, bool alive = true, bool synced = true, long tip = 1000,
        TermId? held = null, CredentialFingerprint? creds = null, VerifiedForging forging = VerifiedForging.Off) =>
        new(pool, node, "us-east-1", inc, true, alive, synced, tip, tip + 1, forging, SignalOutcome.None, 50,
            held ?? TermId.None, creds ?? Creds(), null, "coord-1", DateTimeOffset.UtcNow);
}
