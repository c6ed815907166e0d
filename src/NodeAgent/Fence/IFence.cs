using Forge.NodeAgent.Core;

namespace Forge.NodeAgent.Fence;

/// <summary>The agent's narrow view of the fence. Every call is bounded by the fence timeout; null/false = no answer.</summary>
internal interface IFence : IAsyncDisposable
{
    /// <summary>DEADLINE: the fence may keep the node forging until <paramref name="deadlineNs"/> (CLOCK_BOOTTIME).</summary>
    Task<FenceAnswer> SetDeadlineAsync(long deadlineNs, string requestId, CancellationToken ct);
    /// <summary>DISABLE: forget the deadline and disable now (remove files, SIGHUP, verify off).</summary>
    Task<FenceAnswer> DisableAsync(string requestId, CancellationToken ct);
    /// <summary>STATUS, or null when the fence did not answer in time.</summary>
    Task<FenceObservation?> StatusAsync(CancellationToken ct);
    /// <summary>WATCH: verified state changes as they happen (reconnects on its own until cancelled).</summary>
    IAsyncEnumerable<FenceObservation> WatchAsync(CancellationToken ct);
}

internal readonly record struct FenceAnswer(bool Ok, string Detail);
