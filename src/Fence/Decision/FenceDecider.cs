namespace Forge.Fence.Decision;

/// <summary>Forging state of the node as the fence has verified it. Unknown is treated as "may be forging".</summary>
internal enum VerifiedState { Off, On, Unknown }

/// <summary>Where the node process is in its life: only an Up node (kernel up) can be enabled.</summary>
internal enum NodePhase { Starting, Up, Down }

internal enum FenceAction
{
    None,
    /// <summary>Install the files, SIGHUP, verify on within the enable bound.</summary>
    Enable,
    /// <summary>Remove the files, SIGHUP, verify off within the disable bound, else SIGKILL.</summary>
    Disable,
    /// <summary>SIGKILL at once: the fence woke so late past its deadline that a bounded disable no longer fits.</summary>
    KillNow,
}

/// <summary>The inputs of one decision: plain values, all times in CLOCK_BOOTTIME ns.</summary>
internal readonly record struct FenceInputs(
    long Now,
    long? Deadline,
    VerifiedState State,
    NodePhase Phase,
    long EnableBound,
    long LateTolerance,
    long RetryEnableAt);

/// <summary>
/// The fence's whole policy as one pure function. Safety first: anything not verified off is disabled once the deadline is
/// gone or reached; a fence that finds itself far past the deadline (suspend, stall) kills instead of starting a slow
/// disable. Liveness second: enable only an up, verified-off node, and only when the enable bound still fits before
/// the deadline.
/// </summary>
internal static class FenceDecider
{
    public static FenceAction Decide(in FenceInputs i)
    {
        if (i.State != VerifiedState.Off)
        {
            if (i.Phase == NodePhase.Down) return FenceAction.None; // a dead node forges nothing; the restart path runs
            if (i.Deadline is not { } deadline) return FenceAction.Disable;
            if (i.Now >= deadline)
                return i.Now - deadline > i.LateTolerance ? FenceAction.KillNow : FenceAction.Disable;
            return i.State == VerifiedState.Unknown ? FenceAction.Disable : FenceAction.None;
        }

        return i.Deadline is { } d
               && i.Phase == NodePhase.Up
               && i.Now + i.EnableBound < d
               && i.Now >= i.RetryEnableAt
            ? FenceAction.Enable
            : FenceAction.None;
    }
}
