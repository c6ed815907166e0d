using System.Collections.Immutable;
using Akka.Actor;
using Forge.Grants;

namespace Forge.Shell.Palettes.Forge;

/// <summary>
/// The grant quorum as the shell reads it: the configured regions and where each region's replica lives (the
/// coordinator's own <see cref="ReplicaDirectory"/>). Each replica is asked directly with
/// <see cref="ReplicaStatusQuery"/>: what the replicas hold is the grant; the arbiter only proposes and relays.
/// </summary>
public sealed class GrantQuorum(ImmutableArray<string> regions, ReplicaDirectory directory, TimeSpan? replicaTimeout = null)
{
    /// <summary>A replica that has not answered within this long is shown as "no answer" (the others still show).</summary>
    public static readonly TimeSpan DefaultReplicaTimeout = TimeSpan.FromSeconds(2);

    private readonly TimeSpan _timeout = replicaTimeout ?? DefaultReplicaTimeout;
    private long _correlation;

    public ImmutableArray<string> Regions => regions;

    /// <summary>Every configured region's answer for one pool, in the configured order.</summary>
    public async Task<ImmutableArray<ReplicaAnswer>> StatusAsync(string poolId, CancellationToken ct) =>
        [.. await Task.WhenAll(regions.Select(r => AskAsync(r, poolId, ct))).ConfigureAwait(false)];

    private async Task<ReplicaAnswer> AskAsync(string region, string poolId, CancellationToken ct)
    {
        var replica = directory(region);
        // The directory answers these when no member of the region with the replica's role was ever seen.
        if (replica is IActorRef r && (r.IsNobody() || r is DeadLetterActorRef))
            return new ReplicaAnswer(region, null, _timeout, "its replica's address is not known");
        var query = new ReplicaStatusQuery(poolId, Interlocked.Increment(ref _correlation));
        try
        {
            return new ReplicaAnswer(region, await replica.Ask<ReplicaStatus>(query, _timeout, ct).ConfigureAwait(false), _timeout);
        }
        catch (Exception e) when (e is AskTimeoutException or TaskCanceledException && !ct.IsCancellationRequested)
        {
            return new ReplicaAnswer(region, null, _timeout);
        }
    }
}

/// <summary>One region's replica answer for a pool; <paramref name="Status"/> is null when it did not answer within
/// <paramref name="Waited"/>, or could not be asked (<paramref name="Unreachable"/> says why).</summary>
public sealed record ReplicaAnswer(string Region, ReplicaStatus? Status, TimeSpan Waited, string? Unreachable = null);
