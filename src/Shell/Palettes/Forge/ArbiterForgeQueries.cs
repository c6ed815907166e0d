using System.Collections.Immutable;
using System.Runtime.CompilerServices;
using System.Threading.Channels;
using Akka.Actor;
using Akka.Cluster.Tools.PublishSubscribe;
using Akka.Hosting;
using Forge.Arbiter;
using Forge.Specs;

namespace Forge.Shell.Palettes.Forge;

/// <summary>
/// <see cref="IForgeQueries"/> over the ForgeArbiter singleton (proxy) and this coordinator's <see cref="SpecStore"/>.
/// The shell is an edge, so this Asks. Watching re-reads a snapshot on every publication, and at least every
/// <c>refresh</c>: the arbiter publishes every change (verified forging included), but DistributedPubSub delivers at
/// most once, so a lost publication costs at most one refresh.
/// </summary>
/// <param name="quorum">The grant quorum's replicas, read by <c>forge grants</c>; null: grants show the arbiter's view only.</param>
public sealed class ArbiterForgeQueries(ActorSystem system, IActorRef arbiter, IActorRef specStore, TimeSpan refresh, GrantQuorum? quorum = null)
    : IForgeQueries
{
    public static readonly TimeSpan DefaultRefresh = TimeSpan.FromSeconds(1);

    /// <summary>From the Akka.Hosting registry (keys <see cref="ForgeArbiter"/> and <see cref="SpecStore"/>, as the
    /// coordinator registers them), or null when either is missing.</summary>
    public static ArbiterForgeQueries? FromRegistry(ActorSystem system, IReadOnlyActorRegistry registry, GrantQuorum? quorum = null) =>
        registry.TryGet<ForgeArbiter>(out var arbiter) && registry.TryGet<SpecStore>(out var specs)
            ? new ArbiterForgeQueries(system, arbiter, specs, DefaultRefresh, quorum)
            : null;

    public async Task<ForgeSnapshot> SnapshotAsync(CancellationToken ct)
    {
        var states = await StatesAsync(ct).ConfigureAwait(false);
        var specs = await Task.WhenAll(states.Select(s => specStore.Ask<PoolSpecs>(new GetPoolSpecs(s.PoolId), null, ct))).ConfigureAwait(false);
        return new ForgeSnapshot(DateTimeOffset.UtcNow,
            [.. states.Select((s, i) => ArbiterViews.Pool(s, specs[i]))]);
    }

    public async IAsyncEnumerable<ForgeSnapshot> WatchAsync([EnumeratorCancellation] CancellationToken ct)
    {
        var changed = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
        var relay = system.ActorOf(ArbiterChangeRelay.Props(DistributedPubSub.Get(system).Mediator, specStore, changed.Writer));
        try
        {
            // Subscribed before the first read, so no change can fall between the two.
            yield return await SnapshotAsync(ct).ConfigureAwait(false);
            while (true)
            {
                await NextChangeAsync(changed.Reader, ct).ConfigureAwait(false);
                yield return await SnapshotAsync(ct).ConfigureAwait(false);
            }
        }
        finally
        {
            system.Stop(relay);
        }
    }

    public async Task<ImmutableArray<ForgeTransition>> HistoryAsync(int limit, CancellationToken ct) =>
        [.. (await StatesAsync(ct).ConfigureAwait(false))
            .SelectMany(s => s.History.Select(t => ArbiterViews.Transition(s.PoolId, t)))
            .OrderByDescending(t => t.At).Take(limit)];

    public async Task<ImmutableArray<GrantView>> GrantsAsync(CancellationToken ct)
    {
        var states = await StatesAsync(ct).ConfigureAwait(false);
        if (quorum is null) return [.. states.Select(s => ArbiterViews.Grant(s)).OfType<GrantView>()];
        var answers = await Task.WhenAll(states.Select(s => quorum.StatusAsync(s.PoolId, ct))).ConfigureAwait(false);
        return [.. states.Select((s, i) => ArbiterViews.Grant(s, answers[i])).OfType<GrantView>()];
    }

    public async Task<ImmutableArray<AgentView>> AgentsAsync(CancellationToken ct) =>
        [.. (await StatesAsync(ct).ConfigureAwait(false)).SelectMany(s => s.Nodes).Select(ArbiterViews.Agent)];

    private async Task<PoolState[]> StatesAsync(CancellationToken ct)
    {
        var list = await arbiter.Ask<PoolList>(ListPools.Instance, null, ct).ConfigureAwait(false);
        return await Task.WhenAll(list.Pools.Select(p => arbiter.Ask<PoolState>(new GetPoolState(p.PoolId), null, ct))).ConfigureAwait(false);
    }

    /// <summary>Returns on the next publication or after <c>refresh</c>, whichever comes first.</summary>
    private async Task NextChangeAsync(ChannelReader<bool> changed, CancellationToken ct)
    {
        using var tick = CancellationTokenSource.CreateLinkedTokenSource(ct);
        tick.CancelAfter(refresh);
        try
        {
            await changed.WaitToReadAsync(tick.Token).ConfigureAwait(false);
            changed.TryRead(out _);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
        }
    }
}
