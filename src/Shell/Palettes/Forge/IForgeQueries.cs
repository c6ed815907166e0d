using System.Collections.Immutable;

namespace Forge.Shell.Palettes.Forge;

/// <summary>
/// What the <c>forge</c> and <c>agent</c> palettes read. The coordinator implements it over the ForgeArbiter's
/// published state (and the node actors) and registers it in DI; the shell host is an edge, so implementations may
/// Ask. Every method honours its token (the shell applies forge.shell.query-timeout).
/// </summary>
public interface IForgeQueries
{
    Task<ForgeSnapshot> SnapshotAsync(CancellationToken ct);

    /// <summary>The current snapshot first, then one per change of the arbiter's state, until cancelled. State-changing
    /// commands wait on this for their effect, so it must report verified forging as soon as it is known.</summary>
    IAsyncEnumerable<ForgeSnapshot> WatchAsync(CancellationToken ct);

    /// <summary>The most recent transitions of every pool, newest first.</summary>
    Task<ImmutableArray<ForgeTransition>> HistoryAsync(int limit, CancellationToken ct);

    Task<ImmutableArray<GrantView>> GrantsAsync(CancellationToken ct);

    Task<ImmutableArray<AgentView>> AgentsAsync(CancellationToken ct);
}
