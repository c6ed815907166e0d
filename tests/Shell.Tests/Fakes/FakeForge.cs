using System.Collections.Immutable;
using System.Diagnostics;
using System.Globalization;
using System.Threading.Channels;
using Forge.Decider;
using Forge.Protocol;
using Forge.Shell.Palettes.Forge;

namespace Forge.Shell.Tests.Fakes;

/// <summary>
/// A stand-in for the arbiter's view and the spec path, used until the coordinator wires the real ones: three
/// clusters of one pool with one synced node each, decided by the real <see cref="ForgeDecider"/>. A patch is applied
/// at once (like the apiserver) and its effect follows asynchronously in two steps, as a planned handover does:
/// first the decision (target moves), then the verified forger (term + 1, history entry).
/// </summary>
internal sealed class FakeForge : IForgeQueries, IForgeSpecWriter
{
    public const string Pool = "pool1";
    private static readonly DateTimeOffset Created = DateTimeOffset.UtcNow.AddDays(-2);
    private readonly Lock _lock = new();
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly List<Channel<ForgeSnapshot>> _watchers = [];
    private ImmutableDictionary<string, ClusterSpec> _specs = ImmutableDictionary<string, ClusterSpec>.Empty
        .Add("us-east-1-prod", new ClusterSpec("us-east-1", 1))
        .Add("us-west-2-prod", new ClusterSpec("us-west-2", 2))
        .Add("eu-west-1-prod", new ClusterSpec("eu-west-1", 3));
    private ImmutableHashSet<string> _deadClusters = ImmutableHashSet<string>.Empty;
    private ImmutableDictionary<string, ClusterSpec> _decidedSpecs = ImmutableDictionary<string, ClusterSpec>.Empty;
    private DeciderState _decider = DeciderState.Initial;
    private ImmutableArray<ClusterVerdict> _verdicts = [];
    private NodeId? _target;
    private NodeId? _forger;
    private TermId _term = TermId.None;
    private DateTimeOffset? _lastAt;
    private string _lastTransition = "";
    private ImmutableList<ForgeTransition> _history = ImmutableList<ForgeTransition>.Empty;

    public FakeForge()
    {
        Decide();
        Verify();
    }

    /// <summary>Every patch received, in order (the merge-patch bodies a kubectl user would send).</summary>
    public ImmutableList<ForgeSpecPatch> Patches { get; private set; } = ImmutableList<ForgeSpecPatch>.Empty;

    /// <summary>While set, decisions are made but no node ever verifies forging (a stuck handover).</summary>
    public bool Stuck { get; set; }

    public static NodeId Node(string cluster) => new(cluster, "cardano-bp-0");

    /// <summary>Sets a cluster's spec directly (test setup), then decides and verifies at once.</summary>
    public void SetSpec(string cluster, Func<ClusterSpec, ClusterSpec> change)
    {
        lock (_lock) _specs = _specs.SetItem(cluster, change(_specs[cluster]));
        Decide();
        Verify();
    }

    /// <summary>The cluster's node stops being eligible (e.g. its agent is gone).</summary>
    public void KillNode(string cluster)
    {
        lock (_lock) _deadClusters = _deadClusters.Add(cluster);
        Decide();
        Verify();
    }

    public Task PatchAsync(ForgeSpecPatch patch, CancellationToken ct)
    {
        lock (_lock)
        {
            if (!_specs.TryGetValue(patch.Cluster, out var spec))
                throw new ForgeSpecWriteException($"cardanoforgeclusters.cardano.io \"{patch.Cluster}\" not found");
            Patches = Patches.Add(patch);
            _specs = _specs.SetItem(patch.Cluster, patch.ApplyTo(spec));
        }
        _ = Task.Run(async () =>
        {
            Decide();
            await Task.Yield();
            if (!Stuck) Verify();
        }, CancellationToken.None);
        return Task.CompletedTask;
    }

    private void Decide()
    {
        lock (_lock)
        {
            var inputs = new DeciderInputs(Pool, _specs.Select(kv => new ClusterInput(kv.Key, Created, kv.Value, HealthObservation.None,
                [new NodeInput(Node(kv.Key), !_deadClusters.Contains(kv.Key), true, 1000, true)])).ToImmutableArray());
            var decision = ForgeDecider.Decide(_decider, inputs, new DeciderNow(DateTimeOffset.UtcNow, _clock.Elapsed), DeciderSettings.Default);
            _decider = decision.Next;
            _decidedSpecs = _specs; // the published view pairs specs with the decision made from them, as the arbiter's does
            _verdicts = decision.Clusters;
            if (decision.Moved || _target is null) _lastTransition = decision.Transition;
            _target = decision.Target;
            PublishLocked();
        }
    }

    private void Verify()
    {
        lock (_lock)
        {
            if (_forger == _target) return;
            var from = _forger;
            _forger = _target;
            if (_forger is not null) _term = TermId.Next(_term, "arbiter-a");
            _lastAt = DateTimeOffset.UtcNow;
            _history = _history.Add(new ForgeTransition(_lastAt.Value, Pool, from, _forger, _term, _lastTransition));
            PublishLocked();
        }
    }

    private ForgeSnapshot SnapshotLocked()
    {
        var clusters = _decidedSpecs.Select(kv =>
        {
            var (name, spec) = (kv.Key, kv.Value);
            var v = _verdicts.First(x => x.Name == name);
            var o = spec.Override is { } s
                ? new OverrideView(s.Enabled, s.Reason,
                    s.ExpiresAt is { } e ? DateTimeOffset.Parse(e, CultureInfo.InvariantCulture) : null, s.ForcePriority, s.ForceState)
                : null;
            return new ClusterView(name, spec.Region!, spec.Priority, spec.ForgeState ?? ForgeStates.PriorityBasedText, o,
                v.EffectiveState, v.EffectivePriority, _forger is { } f && f.Cluster == name ? f : null, v.Healthy, Created, v.Reason, v.Message);
        }).ToImmutableArray();
        return new ForgeSnapshot(DateTimeOffset.UtcNow,
            [new PoolView(Pool, _forger, _target, _term, _lastAt, _lastTransition, clusters)]);
    }

    private void PublishLocked()
    {
        var s = SnapshotLocked();
        foreach (var w in _watchers) w.Writer.TryWrite(s);
    }

    public Task<ForgeSnapshot> SnapshotAsync(CancellationToken ct)
    {
        lock (_lock) return Task.FromResult(SnapshotLocked());
    }

    public async IAsyncEnumerable<ForgeSnapshot> WatchAsync([System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct)
    {
        var channel = Channel.CreateUnbounded<ForgeSnapshot>();
        lock (_lock)
        {
            channel.Writer.TryWrite(SnapshotLocked());
            _watchers.Add(channel);
        }
        try
        {
            await foreach (var s in channel.Reader.ReadAllAsync(ct).ConfigureAwait(false)) yield return s;
        }
        finally
        {
            lock (_lock) _watchers.Remove(channel);
        }
    }

    public Task<ImmutableArray<ForgeTransition>> HistoryAsync(int limit, CancellationToken ct)
    {
        lock (_lock) return Task.FromResult(_history.Reverse().Take(limit).ToImmutableArray());
    }

    public Task<ImmutableArray<GrantView>> GrantsAsync(CancellationToken ct)
    {
        lock (_lock)
            return Task.FromResult(_forger is { } f
                ? ImmutableArray.Create(new GrantView(Pool, f, _term, "idle", TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(4.6), true, false,
                    ["eu-west-1", "us-east-1"], 3,
                    [
                        new ReplicaGrantView("eu-west-1", true, TimeSpan.FromSeconds(2), false, _term, f, TimeSpan.FromSeconds(5), true, false, TimeSpan.FromSeconds(0.4)),
                        new ReplicaGrantView("us-east-1", true, TimeSpan.FromSeconds(2), false, _term, f, TimeSpan.FromSeconds(5), true, false, TimeSpan.FromSeconds(0.3)),
                        new ReplicaGrantView("us-west-2", false, TimeSpan.FromSeconds(2), false, null, null, null, false, false, null),
                    ]))
                : []);
    }

    public Task<ImmutableArray<AgentView>> AgentsAsync(CancellationToken ct)
    {
        lock (_lock)
            return Task.FromResult(_specs.Keys.Order(StringComparer.Ordinal).Select(c => new AgentView(
                Node(c), Pool, !_deadClusters.Contains(c), true, 1000, _forger == Node(c) ? "forging" : "not forging",
                _forger == Node(c) ? _term : null, _forger == Node(c) ? "enabled (verified)" : "disabled (verified)",
                DateTimeOffset.UtcNow.AddMinutes(-3), 42, DateTimeOffset.UtcNow)).ToImmutableArray());
    }
}
