using System.Collections.Immutable;
using System.Text.Json.Nodes;
using Akka.Actor;
using Akka.Cluster.Tools.PublishSubscribe;
using Akka.Event;
using Forge.Arbiter;
using Forge.Decider;
using Forge.Specs;

namespace Forge.Kubernetes;

/// <summary>
/// The CRD projection of one region (run as a singleton of the region's coordinators: one active writer).
/// It lists and watches the region's CardanoForgeClusters (resume from the last resourceVersion, 410 → relist,
/// backoff with jitter), feeds spec changes into the replicated <see cref="SpecStore"/>, projects every cluster of the
/// pool into this region (creates, spec patches, tombstoned deletions), writes status from the arbiter's pool state
/// (only on change; lastProbeTime at most every five minutes), records Events on transitions, and writes the
/// arbiter's override restores. API trouble makes status stale, never forging decisions: those run on the store.
/// </summary>
public sealed class CrdProjection : ReceiveActor, IWithTimers
{
    private sealed record Listed(IReadOnlyList<ForgeClusterObject> Items, string ResourceVersion);
    private sealed record ApiFailed(string What, Exception Error);
    private sealed record Changed(ForgeClusterChange Change, long WatchId);
    private sealed record WatchEnded(long WatchId, Exception? Error);
    private sealed record Wrote(string Name, JsonObject Status, bool Fresh);
    private sealed record WriteFailed(string Name, Exception Error);
    private sealed class Resync { public static readonly Resync Instance = new(); }
    private sealed class Relist { public static readonly Relist Instance = new(); }
    private sealed class Rewatch { public static readonly Rewatch Instance = new(); }

    private readonly IForgeClusterApi _api;
    private readonly IActorRef _specs;
    private readonly IActorRef _arbiter;
    private readonly IActorRef? _mediator;
    private readonly ProjectionSettings _settings;
    private readonly string _source;
    private readonly string _region;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly Dictionary<string, ForgeClusterObject> _objects = new(StringComparer.Ordinal);
    private readonly Dictionary<string, PoolSpecs> _store = new(StringComparer.Ordinal);
    private readonly Dictionary<string, (PoolState State, DateTimeOffset ReceivedAt)> _pools = new(StringComparer.Ordinal);
    private readonly Dictionary<string, (JsonObject Status, DateTimeOffset At)> _written = new(StringComparer.Ordinal);
    private readonly Dictionary<string, ClusterVerdict> _lastVerdicts = new(StringComparer.Ordinal);
    private readonly HashSet<string> _writing = new(StringComparer.Ordinal);
    private readonly HashSet<string> _deletedByUs = new(StringComparer.Ordinal);
    private readonly TombstoneWitness _tombstones = new();
    // Copies this instance saw since it started, and the copy notes it sent to the store.
    private readonly HashSet<string> _seenHere = new(StringComparer.Ordinal);
    private readonly Dictionary<string, (string Uid, DateTimeOffset EntryFirstSeen)> _noted = new(StringComparer.Ordinal);
    // Local edits sent to the store whose effect this projection's view of the store may not show yet: the store
    // confirms a write (SpecStored) after publishing a view that includes it, so every view received after the
    // confirmation includes the edit.
    private readonly HashSet<string> _storing = new(StringComparer.Ordinal);
    // Likewise removals sent to the store: until a view shows the tombstone, a view still showing the cluster live must
    // not create the copy again (that brought a deleted cluster back in every region).
    private readonly HashSet<string> _removing = new(StringComparer.Ordinal);
    private readonly HashSet<(string Pool, string Cluster)> _confirmed = [];
    private readonly Random _jitter = new();
    private CancellationTokenSource _lifetime = new();
    private CancellationTokenSource? _watch;
    private long _watchId;
    private string _resourceVersion = "";
    private bool _listed;
    private int _failures;
    private string? _rbacProblem;
    private DateTimeOffset _startedAt;

    public ITimerScheduler Timers { get; set; } = null!;

    /// <param name="arbiter">The ForgeArbiter singleton proxy (answers <see cref="GetPoolState"/> with <see cref="PoolState"/>).</param>
    /// <param name="mediator">DistributedPubSub mediator, or null in tests (then only resync asks feed pool state).</param>
    /// <param name="region">This projection's region (recorded as the source of the specs it stores).</param>
    public static Props Props(IForgeClusterApi api, IActorRef specs, IActorRef arbiter, IActorRef? mediator,
        ProjectionSettings settings, string region) =>
        Akka.Actor.Props.Create(() => new CrdProjection(api, specs, arbiter, mediator, settings, region));

    public CrdProjection(IForgeClusterApi api, IActorRef specs, IActorRef arbiter, IActorRef? mediator,
        ProjectionSettings settings, string region)
    {
        _api = api;
        _specs = specs;
        _arbiter = arbiter;
        _mediator = mediator;
        _settings = settings;
        _source = "projection:" + region;
        _region = region;

        Receive<Listed>(OnListed);
        Receive<ApiFailed>(OnApiFailed);
        Receive<Relist>(_ => StartList());
        Receive<Rewatch>(_ => StartWatch());
        Receive<Changed>(c => c.WatchId == _watchId, c => OnChanged(c.Change));
        Receive<Changed>(_ => { }); // from a watch we already replaced
        Receive<WatchEnded>(OnWatchEnded);
        Receive<PoolSpecs>(p =>
        {
            foreach (var c in _confirmed.Where(c => c.Pool == p.PoolId).ToList())
            {
                _storing.Remove(c.Cluster);
                _removing.Remove(c.Cluster);
                _confirmed.Remove(c);
            }
            OnPoolSpecs(p);
        });
        Receive<SpecStored>(s =>
        {
            _confirmed.Add((s.PoolId, s.ClusterName));
            if (!s.Ok) _log.Warning("spec store refused {0}/{1}: {2}", s.PoolId, s.ClusterName, s.Error);
        });
        Receive<PoolState>(s => OnPoolState(s));
        Receive<PoolStateChanged>(c => OnPoolState(c.State));
        Receive<RestoreOverrideRequested>(OnRestore);
        Receive<Resync>(_ => OnResync());
        Receive<Wrote>(w =>
        {
            _writing.Remove(w.Name);
            _written[w.Name] = (w.Status, DateTimeOffset.UtcNow);
            if (w.Fresh) Context.System.EventStream.Publish(new CrdStatusSynced(_region, w.Name, DateTimeOffset.UtcNow));
        });
        Receive<WriteFailed>(f =>
        {
            _writing.Remove(f.Name);
            NoteApiError($"write status of {f.Name}", f.Error);
        });
        Receive<SubscribeAck>(_ => { });
    }

    protected override void PreStart()
    {
        _startedAt = DateTimeOffset.UtcNow;
        _specs.Tell(SubscribeSpecs.Instance);
        _mediator?.Tell(new Subscribe(ArbiterTopics.PoolState, Self));
        _mediator?.Tell(new Subscribe(ArbiterTopics.Decisions, Self));
        Timers.StartPeriodicTimer("resync", Resync.Instance, _settings.ResyncInterval);
        StartList();
    }

    protected override void PostStop()
    {
        // This coordinator no longer projects the region (the singleton moved or stopped): its last-sync series would
        // otherwise stay behind, frozen, and outlive a cluster deleted while another coordinator projects it.
        foreach (var name in _objects.Keys) Context.System.EventStream.Publish(new CrdClusterUntracked(_region, name));
        _watch?.Cancel();
        _lifetime.Cancel();
        _lifetime.Dispose();
    }

    // ---- list and watch ----

    private void StartList()
    {
        var ct = _lifetime.Token;
        Safe(() => _api.ListAsync(ct)).PipeTo(Self,
            success: r => new Listed(r.Items, r.ResourceVersion),
            failure: e => new ApiFailed("list", e));
    }

    private void OnListed(Listed l)
    {
        _failures = 0;
        _resourceVersion = l.ResourceVersion;
        var seen = l.Items.Select(i => i.Name).ToHashSet(StringComparer.Ordinal);
        foreach (var gone in _objects.Keys.Where(n => !seen.Contains(n)).ToList())
            OnChanged(new ForgeClusterChange(ForgeClusterChangeType.Deleted, _objects[gone]));
        foreach (var item in l.Items) OnChanged(new ForgeClusterChange(ForgeClusterChangeType.Upserted, item));
        _listed = true;
        foreach (var p in _store.Values.ToList()) OnPoolSpecs(p);
        StartWatch();
    }

    private void StartWatch()
    {
        _watch?.Cancel();
        _watch = CancellationTokenSource.CreateLinkedTokenSource(_lifetime.Token);
        var id = ++_watchId;
        var self = Self;
        var api = _api;
        var rv = _resourceVersion;
        var ct = _watch.Token;
        _ = Task.Run(async () =>
        {
            try
            {
                await foreach (var change in api.WatchAsync(rv, ct)) self.Tell(new Changed(change, id));
                self.Tell(new WatchEnded(id, null));
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
            }
            catch (Exception e)
            {
                self.Tell(new WatchEnded(id, e));
            }
        }, ct);
    }

    private void OnWatchEnded(WatchEnded w)
    {
        if (w.WatchId != _watchId) return;
        if (w.Error is KubeApiException { Error: KubeApiError.Gone })
        {
            _log.Info("watch resource version {0} is gone; relisting", _resourceVersion);
            StartList();
            return;
        }
        if (w.Error is null)
        {
            StartWatch(); // the server closed a healthy watch (timeoutSeconds): resume from the last version
            return;
        }
        NoteApiError("watch", w.Error);
        Timers.StartSingleTimer("rewatch", Rewatch.Instance, Backoff());
    }

    private void OnApiFailed(ApiFailed f)
    {
        NoteApiError(f.What, f.Error);
        Timers.StartSingleTimer("relist", Relist.Instance, Backoff());
    }

    private TimeSpan Backoff()
    {
        _failures++;
        var ms = Math.Min(_settings.BackoffMax.TotalMilliseconds, _settings.BackoffMin.TotalMilliseconds * Math.Pow(2, Math.Min(_failures - 1, 16)));
        return TimeSpan.FromMilliseconds(ms * (0.5 + _jitter.NextDouble() / 2));
    }

    private void NoteApiError(string what, Exception e)
    {
        if (e is KubeApiException { Error: KubeApiError.Forbidden } f)
        {
            _rbacProblem = f.Message;
            _log.Error("missing permission: {0}", f.Message);
        }
        else
        {
            _log.Warning("Kubernetes API trouble ({0}): {1}; status goes stale, forging decisions continue", what, e.Message);
        }
    }

    // ---- local changes → spec store ----

    private void OnChanged(ForgeClusterChange change)
    {
        var o = change.Resource;
        if (!string.IsNullOrEmpty(o.ResourceVersion)) _resourceVersion = MaxVersion(_resourceVersion, o.ResourceVersion);
        var pool = o.PoolId ?? _settings.DefaultPool;
        if (change.Type == ForgeClusterChangeType.Deleted)
        {
            _objects.Remove(o.Name);
            _written.Remove(o.Name);
            Context.System.EventStream.Publish(new CrdClusterUntracked(_region, o.Name));
            _tombstones.CopyGone(o.Name, Entry(pool, o.Name));
            if (_deletedByUs.Remove(o.Uid)) return; // our own projection of a tombstone
            _removing.Add(o.Name);
            _specs.Tell(new RemoveClusterSpec(pool, o.Name, _source));
            return;
        }
        if (!_objects.TryGetValue(o.Name, out var previous))
            Context.System.EventStream.Publish(new CrdClusterTracked(_region, o.Name, DateTimeOffset.UtcNow));
        _objects[o.Name] = o;
        _seenHere.Add(o.Name);
        var entry = Entry(pool, o.Name);
        NoteCopy(pool, o, entry);
        if (entry is { Deleted: true } && o.Created < entry.UpdatedAt && !_tombstones.CreatedAfter(entry))
        {
            // A copy from before the deletion (e.g. a region that was cut off): it must not come back.
            DeleteLocal(o, $"deleted at {entry.UpdatedAt:O} by {entry.Source}");
            return;
        }
        if (entry is { Deleted: false } && SpecPatches.Canonical(entry.Spec) == SpecPatches.Canonical(o.Spec)) return;
        // Only an edit of this region's copy goes to the store. An event that leaves the spec as this projection last saw
        // it (a status write) on a copy the store has moved past is a stale copy still waiting for its projection patch:
        // storing it would undo the newer edit from another region (last writer wins).
        if (entry is { Deleted: false } && previous is not null && SpecPatches.Canonical(previous.Spec) == SpecPatches.Canonical(o.Spec)) return;
        // After a (re)start nothing was seen before: a copy whose status already covers its generation was rendered by an
        // earlier projection here, so its difference from the store means it is behind, not edited while we were away.
        if (entry is { Deleted: false } && previous is null && ObservedGeneration(o) == o.Generation) return;
        // First sight of a copy never rendered here (no status: created by a projection or at setup, or by an operator
        // while no projection watched) is a copy, not an edit: it fills the store only where no write of that cluster
        // exists, on any replica. Storing it as an edit let a projection starting in a joining region undo an edit made
        // elsewhere moments before (its replica had not received it yet, and the later write won).
        // A copy seen after a deletion the store knows of is a new resource (kept above as created after it): a real write.
        var fillOnly = previous is null && ObservedGeneration(o) is null && entry is not { Deleted: true };
        _storing.Add(o.Name);
        _specs.Tell(new PutClusterSpec(pool, o.Name, o.Spec, o.Generation, _source, fillOnly));
    }

    private SpecEntry? Entry(string pool, string cluster) =>
        _store.TryGetValue(pool, out var p) && p.Clusters.TryGetValue(cluster, out var e) ? e : null;

    // ---- spec store → this region (every region shows every cluster of the pool) ----

    private void OnPoolSpecs(PoolSpecs specs)
    {
        _store[specs.PoolId] = specs;
        if (!_listed) return;
        foreach (var e in specs.Clusters.Values)
        {
            _objects.TryGetValue(e.ClusterName, out var local);
            if (e.Deleted)
            {
                _tombstones.TombstoneSeen(e, _source);
                if (local is null) _tombstones.NoCopyUnder(e);
                else if (_tombstones.CreatedAfter(e)) StoreCreatedAgain(local);
                else if (local.Created < e.UpdatedAt) DeleteLocal(local, $"deleted by {e.Source}");
                continue;
            }
            if (e.Spec is null) continue;
            if (local is not null) NoteCopy(e.PoolId, local, e);
            if (local is null && (_removing.Contains(e.ClusterName) || WasDeletedWhileAway(specs, e))) continue;
            if (local is null)
            {
                var spec = SpecPatches.MergePatch(e.Spec);
                RemoveNulls(spec);
                spec["pool"] = new JsonObject { ["id"] = e.PoolId };
                Run($"create {e.ClusterName}", ct => _api.CreateAsync(e.ClusterName, spec, ct));
            }
            else if (SpecPatches.Canonical(local.Spec) != SpecPatches.Canonical(e.Spec) && e.Source != _source
                     && !_storing.Contains(e.ClusterName)) // a store view from before our own edit of it must not undo it
            {
                Run($"project spec of {e.ClusterName}", ct => _api.PatchSpecAsync(e.ClusterName, SpecPatches.MergePatch(e.Spec), ct));
            }
        }
    }

    /// <summary>Tells the store that this region holds a copy of the store's entry <paramref name="entry"/> (once per copy
    /// and entry), so that a projection starting here later knows the copy existed if it finds it gone.</summary>
    private void NoteCopy(string pool, ForgeClusterObject o, SpecEntry? entry)
    {
        if (entry is not { Deleted: false } || string.IsNullOrEmpty(o.Uid)) return;
        if (_noted.TryGetValue(o.Name, out var n) && n == (o.Uid, entry.FirstSeen)) return;
        _noted[o.Name] = (o.Uid, entry.FirstSeen);
        var known = _store.GetValueOrDefault(pool)?.CopyIn(_region, o.Name);
        if (known is not null && known.Uid == o.Uid && known.Of(entry)) return;
        _specs.Tell(new NoteCopy(pool, new CopySeen(_region, o.Name, o.Uid, entry.FirstSeen)));
    }

    /// <summary>
    /// A live cluster with no copy here, which this region held a copy of (of this very store entry) before this projection
    /// started: someone deleted it while no projection was watching (a coordinator restart, the singleton moving). The
    /// deletion goes to the store as a tombstone, as if the watch had seen it, instead of creating the copy again.
    /// </summary>
    private bool WasDeletedWhileAway(PoolSpecs specs, SpecEntry e)
    {
        if (_seenHere.Contains(e.ClusterName) || specs.CopyIn(_region, e.ClusterName) is not { } copy || !copy.Of(e)) return false;
        _log.Warning("{0} was deleted in this region while no projection was watching (its copy {1} is gone): storing the deletion",
            e.ClusterName, copy.Uid);
        _tombstones.CopyGone(e.ClusterName, e);
        _removing.Add(e.ClusterName);
        _specs.Tell(new RemoveClusterSpec(e.PoolId, e.ClusterName, _source));
        return true;
    }

    /// <summary>A copy created here after the deletion, within the second its timestamp cannot tell apart: it is a new
    /// resource, so it goes to the store (ending the tombstone) even though its spec was seen before.</summary>
    private void StoreCreatedAgain(ForgeClusterObject o)
    {
        if (!_storing.Add(o.Name)) return;
        _log.Info("{0} was created again here after its deletion: storing it", o.Name);
        _specs.Tell(new PutClusterSpec(o.PoolId ?? _settings.DefaultPool, o.Name, o.Spec, o.Generation, _source));
    }

    private void DeleteLocal(ForgeClusterObject o, string why)
    {
        _log.Info("deleting this region's copy of {0}: {1}", o.Name, why);
        _deletedByUs.Add(o.Uid);
        Run($"delete {o.Name}", ct => _api.DeleteAsync(o.Name, o.Uid, ct));
    }

    // ---- arbiter → status ----

    private void OnPoolState(PoolState s)
    {
        _pools[s.PoolId] = (s, DateTimeOffset.UtcNow);
        WriteStatuses(s.PoolId);
    }

    private void OnResync()
    {
        // Projections that failed (an API call that timed out while the watch stayed up) are retried; nothing is written
        // when this region's copies already match the store.
        if (_listed) foreach (var specs in _store.Values.ToList()) OnPoolSpecs(specs);
        foreach (var pool in _objects.Values.Select(o => o.PoolId ?? _settings.DefaultPool).Distinct())
        {
            _arbiter.Tell(new GetPoolState(pool));
            WriteStatuses(pool);
        }
    }

    private void WriteStatuses(string poolId)
    {
        var now = DateTimeOffset.UtcNow;
        var fresh = _pools.TryGetValue(poolId, out var p) && now - p.ReceivedAt < _settings.UnknownAfter;
        foreach (var o in _objects.Values.Where(o => (o.PoolId ?? _settings.DefaultPool) == poolId))
        {
            JsonObject status;
            if (!fresh)
            {
                if (now - _startedAt < _settings.UnknownAfter) continue; // give the arbiter time to answer first
                var why = p.State is null ? "no decision from the arbiter yet" : $"no word from the arbiter since {p.ReceivedAt:O}";
                status = StatusRenderer.RenderUnknown(why, p.State?.DecidedAt ?? now, o.Generation, o.Status);
            }
            else
            {
                var verdict = p.State!.Clusters.FirstOrDefault(v => v.Name == o.Name);
                if (verdict is null) continue; // not decided yet
                // Pending until the arbiter's verdict was made from this very spec: compared by content, because the
                // arbiter's clock and the clock that stamped the store entry belong to different processes.
                var pending = SpecPatches.Canonical(verdict.DecidedSpec) != SpecPatches.Canonical(o.Spec);
                status = StatusRenderer.Render(verdict, p.State, o.Generation, pending, _rbacProblem);
                RecordEvents(o, verdict, p.State.Transition);
            }
            var written = _written.TryGetValue(o.Name, out var w) ? w : default;
            if (_writing.Contains(o.Name)) continue;
            status = StatusRenderer.KeepTransitionTimes(status, written.Status ?? o.Status);
            if (!StatusRenderer.NeedsWrite(status, written.Status ?? o.Status, now - written.At, _settings.ProbeTimeRefresh))
            {
                if (fresh) Context.System.EventStream.Publish(new CrdStatusSynced(_region, o.Name, now));
                continue;
            }
            _writing.Add(o.Name);
            var name = o.Name;
            Safe(async () =>
            {
                await _api.PatchStatusAsync(name, status, _lifetime.Token);
                return true;
            }).PipeTo(Self,
                success: _ => new Wrote(name, status, fresh),
                failure: e => new WriteFailed(name, e));
        }
    }

    private void RecordEvents(ForgeClusterObject o, ClusterVerdict verdict, string transition)
    {
        _lastVerdicts.TryGetValue(o.Name, out var before);
        _lastVerdicts[o.Name] = verdict;
        if (before is null) return; // first sight after a (re)start is not a transition
        foreach (var ev in TransitionEvents.Between(before, verdict, transition))
            Run($"record {ev.Reason} on {o.Name}", ct => _api.RecordEventAsync(o, ev.Type, ev.Reason, ev.Message, ct));
    }

    private void OnRestore(RestoreOverrideRequested r)
    {
        if (!_objects.TryGetValue(r.Cluster, out var o)) return;
        if (o.Spec.Override is not { Enabled: true }) return; // already written here
        _log.Info("override of {0} expired at {1:O}: restoring priority-based operation", r.Cluster, r.ExpiredAt);
        Run($"restore {r.Cluster}", ct => _api.PatchSpecAsync(r.Cluster, SpecPatches.Restore(r.ResetDisabledState), ct));
        Run($"record OverrideExpired on {r.Cluster}", ct => _api.RecordEventAsync(o, "Normal", "OverrideExpired", r.Reason, ct));
    }

    /// <summary>Fire-and-forget write with its failure logged (each is idempotent and retried by the next resync).</summary>
    private void Run(string what, Func<CancellationToken, Task> call)
    {
        var self = Self;
        var ct = _lifetime.Token;
        Safe(async () =>
        {
            await call(ct);
            return true;
        }).ContinueWith(t =>
        {
            if (t.Exception?.GetBaseException() is { } e) self.Tell(new ApiFailedQuiet(what, e));
        }, TaskScheduler.Default);
    }

    private sealed record ApiFailedQuiet(string What, Exception Error);

    /// <summary>An API call that throws before returning its task still ends as a failed task, never in the receive.</summary>
    private static Task<T> Safe<T>(Func<Task<T>> call)
    {
        try
        {
            return call();
        }
        catch (Exception e)
        {
            return Task.FromException<T>(e);
        }
    }

    protected override void Unhandled(object message)
    {
        if (message is ApiFailedQuiet q)
        {
            if (q.Error is KubeApiException { Error: KubeApiError.Conflict or KubeApiError.NotFound }) return; // raced; resync fixes it
            NoteApiError(q.What, q.Error);
            return;
        }
        base.Unhandled(message);
    }

    private static void RemoveNulls(JsonObject o)
    {
        foreach (var key in o.Where(kv => kv.Value is null).Select(kv => kv.Key).ToList()) o.Remove(key);
        foreach (var child in o.Select(kv => kv.Value).OfType<JsonObject>()) RemoveNulls(child);
    }

    private static long? ObservedGeneration(ForgeClusterObject o) =>
        o.Status?["observedGeneration"] is JsonValue v && v.GetValueKind() == System.Text.Json.JsonValueKind.Number
            && long.TryParse(v.ToJsonString(), System.Globalization.CultureInfo.InvariantCulture, out var g) ? g : null;

    private static string MaxVersion(string a, string b) =>
        long.TryParse(a, out var x) && long.TryParse(b, out var y) ? (x >= y ? a : b) : b;
}
