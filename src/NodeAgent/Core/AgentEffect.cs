using Forge.Protocol;

namespace Forge.NodeAgent.Core;

/// <summary>What the loop must carry out after a decision, in order.</summary>
internal abstract record AgentEffect
{
    private AgentEffect() { }

    /// <summary>To the coordinator (or, in single-cluster mode, the Lease grant source).</summary>
    public sealed record Send(IAgentProtocolMessage Message) : AgentEffect;
    /// <summary>DEADLINE: the fence may keep the node forging until this CLOCK_BOOTTIME instant.</summary>
    public sealed record FenceDeadline(long DeadlineNs, string RequestId) : AgentEffect;
    /// <summary>DISABLE: forget the deadline, remove the files, SIGHUP, verify off.</summary>
    public sealed record FenceDisable(string RequestId) : AgentEffect;
    /// <summary>SIGKILL the node (identity re-checked first): the fence stopped answering while it may hold a deadline.</summary>
    public sealed record KillNode(int? Pid, string Reason) : AgentEffect;
    /// <summary>Send the registration again on the current link (a refusal may be transient: the pool's
    /// CardanoForgeCluster not yet loaded, an old incarnation not yet stale).</summary>
    public sealed record Reregister : AgentEffect;
    /// <summary>Send a status report now, not at the next status interval: the entity or link that just took the
    /// registration (re-created after its shard moved, or a new link) tells the arbiter nothing until it has one.</summary>
    public sealed record ReportNow : AgentEffect;
    public sealed record Log(string Level, string Message, string? Detail = null) : AgentEffect;
    /// <summary>Something that must never pass as success: logged as an error, counted, shown in status.</summary>
    public sealed record Alarm(string Kind, string Detail) : AgentEffect;
    public sealed record Exit(int Code) : AgentEffect;
}
