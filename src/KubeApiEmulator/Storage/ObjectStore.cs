using System.Text.Json.Nodes;
using Forge.KubeApiEmulator.Json;

namespace Forge.KubeApiEmulator.Storage;

/// <summary>
/// All objects, one global resourceVersion counter, a bounded change history for watch resumption, and the
/// live watches. One lock serializes writes, like etcd's single revision; <see cref="Transact{T}"/> holds it
/// across a read-modify-write so optimistic concurrency checks are exact.
/// </summary>
internal sealed class ObjectStore(int historyLimit)
{
    private readonly object _gate = new();
    private readonly Dictionary<string, SortedDictionary<string, JsonObject>> _objects = [];
    private readonly LinkedList<StoredEvent> _history = new();
    private readonly List<WatchSubscription> _watches = [];
    private long _rv = 1;
    private long _compactedThrough;

    public long CurrentResourceVersion
    {
        get
        {
            lock (_gate)
            {
                return _rv;
            }
        }
    }

    public T Transact<T>(Func<T> body)
    {
        lock (_gate)
        {
            return body();
        }
    }

    public JsonObject? Get(string storage, string ns, string name)
    {
        lock (_gate)
        {
            return Table(storage).TryGetValue(Key(ns, name), out var o) ? JsonText.Clone(o) : null;
        }
    }

    /// <summary>Objects of a storage (of one namespace, or all when <paramref name="ns"/> is null), with the list RV.</summary>
    public (IReadOnlyList<JsonObject> Items, long ResourceVersion) List(string storage, string? ns)
    {
        lock (_gate)
        {
            var items = Table(storage).Values
                .Where(o => ns is null || JsonText.Str(o, "metadata.namespace") == ns)
                .Select(JsonText.Clone)
                .ToList();
            return (items, _rv);
        }
    }

    /// <summary>Stores <paramref name="obj"/> under a new resourceVersion and notifies watches. Returns the stored copy.</summary>
    public JsonObject Put(string storage, string ns, string name, JsonObject obj, string eventType)
    {
        lock (_gate)
        {
            var stored = Stamp(obj);
            var table = Table(storage);
            table.TryGetValue(Key(ns, name), out var previous);
            table[Key(ns, name)] = stored;
            Record(storage, eventType, stored, previous);
            return JsonText.Clone(stored);
        }
    }

    /// <summary>Removes an object; the DELETED event carries a new resourceVersion, as the apiserver's does.</summary>
    public JsonObject? Remove(string storage, string ns, string name)
    {
        lock (_gate)
        {
            if (!Table(storage).Remove(Key(ns, name), out var old))
            {
                return null;
            }

            var gone = Stamp(old);
            Record(storage, "DELETED", gone);
            return JsonText.Clone(gone);
        }
    }

    /// <summary>
    /// Starts a watch. From a resourceVersion: replays later changes from the history (410 when it was
    /// compacted away). Without one: returns every current object, to be sent as synthetic ADDED events.
    /// </summary>
    public (WatchSubscription Subscription, IReadOnlyList<StoredEvent> Backlog) Subscribe(string storage, long? fromResourceVersion)
    {
        lock (_gate)
        {
            List<StoredEvent> backlog;
            if (fromResourceVersion is { } from)
            {
                if (from < _compactedThrough)
                {
                    throw ApiException.Gone($"too old resource version: {from} ({_compactedThrough + 1})");
                }

                backlog = _history.Where(e => e.Storage == storage && e.ResourceVersion > from).ToList();
            }
            else
            {
                backlog = Table(storage).Values
                    .Select(o => new StoredEvent(_rv, storage, "ADDED", JsonText.Clone(o)))
                    .ToList();
            }

            var subscription = new WatchSubscription(storage);
            _watches.Add(subscription);
            return (subscription, backlog);
        }
    }

    public void Unsubscribe(WatchSubscription subscription)
    {
        lock (_gate)
        {
            _watches.Remove(subscription);
        }
    }

    /// <summary>Ends every open watch (clients see the stream close), e.g. when an outage is injected.</summary>
    public void CloseAllWatches()
    {
        lock (_gate)
        {
            foreach (var w in _watches)
            {
                w.Events.Writer.TryComplete();
            }

            _watches.Clear();
        }
    }

    /// <summary>Forgets the whole history, so any watch resuming from an older resourceVersion gets 410 Gone.</summary>
    public void Compact()
    {
        lock (_gate)
        {
            _history.Clear();
            _compactedThrough = _rv;
        }
    }

    private JsonObject Stamp(JsonObject obj)
    {
        var stored = JsonText.Clone(obj);
        _rv++;
        JsonText.Obj(stored, "metadata")["resourceVersion"] = _rv.ToString();
        return stored;
    }

    private void Record(string storage, string type, JsonObject stored, JsonObject? previous = null)
    {
        var e = new StoredEvent(_rv, storage, type, stored, previous);
        _history.AddLast(e);
        while (_history.Count > historyLimit)
        {
            _compactedThrough = _history.First!.Value.ResourceVersion;
            _history.RemoveFirst();
        }

        foreach (var w in _watches.Where(w => w.Storage == storage))
        {
            w.Events.Writer.TryWrite(e);
        }
    }

    private SortedDictionary<string, JsonObject> Table(string storage)
    {
        if (!_objects.TryGetValue(storage, out var table))
        {
            table = new SortedDictionary<string, JsonObject>(StringComparer.Ordinal);
            _objects[storage] = table;
        }

        return table;
    }

    private static string Key(string ns, string name) => $"{ns}/{name}";
}
