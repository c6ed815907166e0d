using System.Diagnostics;
using Forge.Protocol;

namespace Forge.Benchmarks.Scale;

/// <summary>What the simulated agents saw, for the harness: who forges (from a majority-accepted answer until a
/// revoke or a refused renewal), overlaps of two forgers of one pool (S1; must stay 0), and the timings of spec
/// changes: change sent → revoke at the old holder's agent → first majority-accepted answer at the new forger.</summary>
public sealed class ScaleRecorder
{
    private sealed class Change(long sentAt, string targetCluster)
    {
        public long SentAt { get; } = sentAt;
        public string TargetCluster { get; } = targetCluster;
        public long ForwardedAt { get; set; }
        public long RoutedAt { get; set; }
        public long RevokedAt { get; set; }
    }

    private readonly object _gate = new();
    private readonly Dictionary<string, HashSet<NodeId>> _forging = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Change> _changes = new(StringComparer.Ordinal);
    private readonly List<double> _revokeMs = [];
    private readonly List<double> _forgingMs = [];
    private readonly List<double> _toMailboxMs = [];
    private readonly List<double> _inArbiterMs = [];
    private readonly List<double> _toAgentMs = [];

    private readonly Dictionary<string, int> _refusals = new(StringComparer.Ordinal);
    private readonly Dictionary<string, long> _lostAt = new(StringComparer.Ordinal);
    private readonly List<double> _failoverMs = [];

    public int Overlaps { get; private set; }
    public int LostForging { get; private set; }
    public int Refused { get; private set; }

    public int ForgingPools
    {
        get { lock (_gate) return _forging.Count(p => p.Value.Count > 0); }
    }

    public int PendingChanges
    {
        get { lock (_gate) return _changes.Count; }
    }

    public (List<double> RevokeMs, List<double> ForgingMs) Latencies()
    {
        lock (_gate) return ([.. _revokeMs], [.. _forgingMs]);
    }

    /// <summary>The stages of change → revoke: into the arbiter's mailbox (the spec store's publish), through the arbiter
    /// (its mailbox wait and its handling, until the revoke leaves it for the node region), and on to the holder's agent
    /// (node entity, agent link, agent).</summary>
    public (List<double> ToMailboxMs, List<double> InArbiterMs, List<double> ToAgentMs) Stages()
    {
        lock (_gate) return ([.. _toMailboxMs], [.. _inArbiterMs], [.. _toAgentMs]);
    }

    public void SpecForwarded(string pool) => Stamp(pool, c => c.ForwardedAt == 0, (c, now) => c.ForwardedAt = now);

    public void RevokeRouted(string pool) => Stamp(pool, c => c.RoutedAt == 0, (c, now) => c.RoutedAt = now);

    private void Stamp(string pool, Func<Change, bool> first, Action<Change, long> set)
    {
        var now = Stopwatch.GetTimestamp();
        lock (_gate)
            if (_changes.TryGetValue(pool, out var c) && first(c)) set(c, now);
    }

    public void ChangeSent(string pool, string targetCluster)
    {
        lock (_gate) _changes[pool] = new Change(Stopwatch.GetTimestamp(), targetCluster);
    }

    public void Forging(string pool, NodeId node)
    {
        var now = Stopwatch.GetTimestamp();
        lock (_gate)
        {
            if (!_forging.TryGetValue(pool, out var set)) _forging[pool] = set = [];
            set.Add(node);
            if (set.Count > 1) Overlaps++;
            if (_lostAt.Remove(pool, out var lostAt)) _failoverMs.Add(Stopwatch.GetElapsedTime(lostAt, now).TotalMilliseconds);
            if (_changes.TryGetValue(pool, out var c) && c.TargetCluster == node.Cluster && c.RevokedAt != 0)
            {
                _revokeMs.Add(Stopwatch.GetElapsedTime(c.SentAt, c.RevokedAt).TotalMilliseconds);
                _forgingMs.Add(Stopwatch.GetElapsedTime(c.SentAt, now).TotalMilliseconds);
                if (c.ForwardedAt != 0 && c.RoutedAt >= c.ForwardedAt && c.RevokedAt >= c.RoutedAt)
                {
                    _toMailboxMs.Add(Stopwatch.GetElapsedTime(c.SentAt, c.ForwardedAt).TotalMilliseconds);
                    _inArbiterMs.Add(Stopwatch.GetElapsedTime(c.ForwardedAt, c.RoutedAt).TotalMilliseconds);
                    _toAgentMs.Add(Stopwatch.GetElapsedTime(c.RoutedAt, c.RevokedAt).TotalMilliseconds);
                }
                _changes.Remove(pool);
            }
        }
    }

    /// <summary>A region is lost: its forgers stop with it (their nodes die); returns the pools that must fail over.
    /// <see cref="Forging"/> then times each pool's first forger elsewhere.</summary>
    public IReadOnlyCollection<string> LoseRegion(Func<NodeId, bool> inRegion)
    {
        var now = Stopwatch.GetTimestamp();
        lock (_gate)
        {
            foreach (var (pool, set) in _forging)
                if (set.RemoveWhere(n => inRegion(n)) > 0) _lostAt[pool] = now;
            return [.. _lostAt.Keys];
        }
    }

    public int PendingFailovers
    {
        get { lock (_gate) return _lostAt.Count; }
    }

    public List<double> FailoverMs()
    {
        lock (_gate) return [.. _failoverMs];
    }

    public void Revoked(string pool) => Stamp(pool, c => c.RevokedAt == 0, (c, now) => c.RevokedAt = now);

    public void Stopped(string pool, NodeId node, bool lost)
    {
        lock (_gate)
        {
            if (_forging.TryGetValue(pool, out var set)) set.Remove(node);
            if (lost) LostForging++;
        }
    }

    /// <summary>A refused grant request or renewal; reasons are counted with their numbers blanked.</summary>
    public void RenewalRefused(string reason)
    {
        var key = System.Text.RegularExpressions.Regex.Replace(reason, "[0-9a-f]{8}-[0-9a-f-]{27}|[0-9]+([.:][0-9]+)*", "N");
        key = System.Text.RegularExpressions.Regex.Replace(key, "p[0-9N]+-[a-z0-9-]+/cardano-bp-N|pool1[0-9a-z]+", "X");
        lock (_gate) _refusals[key] = _refusals.GetValueOrDefault(key) + 1;
    }

    /// <summary>The most frequent refusal reasons so far.</summary>
    public string TopRefusals(int n)
    {
        lock (_gate)
            return string.Join("; ", _refusals.OrderByDescending(r => r.Value).Take(n).Select(r => $"{r.Value}× \"{r.Key}\""));
    }

    public void RegistrationRefused()
    {
        lock (_gate) Refused++;
    }
}
