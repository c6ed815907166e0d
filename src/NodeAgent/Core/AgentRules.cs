using Forge.Grants;
using Forge.NodeAgent.Config;
using Forge.Protocol;

namespace Forge.NodeAgent.Core;

/// <summary>The fixed inputs of every decision: who this agent is and its timings.</summary>
internal sealed record AgentRules(string PoolId, NodeId Node, Guid Incarnation, AgentTimings Timings)
{
    public long Ns(TimeSpan t) => PermissionRule.Ns(t);

    /// <summary>The same timing rule the coordinators' replicas use (margin = max(GRANT_MARGIN_MS, drift × TTL)).</summary>
    public GrantTiming GrantTiming { get; } = new(Timings.Margin, Timings.DriftBoundPpm);

    public GrantPermission NewPermission() => GrantPermission.Start(Incarnation, GrantTiming, Timings.FenceDisableBound);

    public TimeSpan RenewInterval(TimeSpan ttl) =>
        Timings.RenewInterval > TimeSpan.Zero ? Timings.RenewInterval : ttl / 5;
}
