using Forge.NodeAgent.Config;
using Forge.Protocol;

namespace Forge.NodeAgent.Core;

/// <summary>The fixed inputs of every decision: who this agent is and its timings.</summary>
internal sealed record AgentRules(string PoolId, NodeId Node, Guid Incarnation, AgentTimings Timings)
{
    public long Ns(TimeSpan t) => PermissionRule.Ns(t);

    public TimeSpan RenewInterval(TimeSpan ttl) =>
        Timings.RenewInterval > TimeSpan.Zero ? Timings.RenewInterval : ttl / 5;
}
