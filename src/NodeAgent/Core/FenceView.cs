using Forge.Protocol;

namespace Forge.NodeAgent.Core;

/// <summary>What the fence last told the agent (STATUS reply or WATCH event), and when it last answered at all.</summary>
internal sealed record FenceView(
    VerifiedForging State,
    string? RequestId,
    int? NodePid,
    string NodePhase,
    SignalOutcome LastSignal,
    string? Error,
    long LastAnswerAt)
{
    public static FenceView Initial(long now) => new(VerifiedForging.Unknown, null, null, "unknown", SignalOutcome.None, null, now);
}

/// <summary>One observation of the fence, parsed from its control protocol.</summary>
internal sealed record FenceObservation(
    VerifiedForging State,
    string? RequestId,
    int? NodePid,
    string? NodePhase,
    SignalOutcome? LastSignal,
    string? Error);
