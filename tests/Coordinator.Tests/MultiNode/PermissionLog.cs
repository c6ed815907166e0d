using System.Diagnostics;
using Forge.Protocol;

namespace Forge.Coordinator.Tests.MultiNode;

/// <summary>
/// When each in-process agent was allowed to forge, on one monotonic clock for the whole process: from the moment a
/// majority-accepted answer arrived until the permission's end (the fence's deadline), cut short when the agent ended
/// its term (it releases only once its node is off). Two nodes' intervals overlapping is a violation of S1.
/// </summary>
public sealed class PermissionLog
{
    public sealed record Interval(NodeId Node, TimeSpan From, TimeSpan Until);

    private readonly object _gate = new();
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly List<Interval> _intervals = [];

    public TimeSpan Now => _clock.Elapsed;

    /// <summary>The node may forge from <paramref name="from"/> to <paramref name="until"/> (extends its last interval
    /// when they touch).</summary>
    public void Permit(NodeId node, TimeSpan from, TimeSpan until)
    {
        lock (_gate)
        {
            var i = _intervals.FindLastIndex(x => x.Node == node);
            if (i >= 0 && _intervals[i].Until >= from)
                _intervals[i] = _intervals[i] with { Until = until > _intervals[i].Until ? until : _intervals[i].Until };
            else _intervals.Add(new Interval(node, from, until));
        }
    }

    /// <summary>The node stopped at <paramref name="at"/>: its last interval ends there if it ran longer.</summary>
    public void Stopped(NodeId node, TimeSpan at)
    {
        lock (_gate)
        {
            var i = _intervals.FindLastIndex(x => x.Node == node);
            if (i >= 0 && _intervals[i].Until > at) _intervals[i] = _intervals[i] with { Until = at < _intervals[i].From ? _intervals[i].From : at };
        }
    }

    public IReadOnlyList<Interval> Intervals
    {
        get { lock (_gate) return [.. _intervals]; }
    }

    /// <summary>Pairs of intervals of different nodes that overlap.</summary>
    public IReadOnlyList<(Interval A, Interval B)> Overlaps()
    {
        var all = Intervals;
        return [.. from a in all from b in all
                   where a.Node.CompareTo(b.Node) < 0 && a.From < b.Until && b.From < a.Until
                   select (a, b)];
    }

    /// <summary>Whether <paramref name="node"/> was allowed to forge throughout [from, to].</summary>
    public bool Covers(NodeId node, TimeSpan from, TimeSpan to) =>
        Intervals.Any(x => x.Node == node && x.From <= from && x.Until >= to);

    public bool MayForge(NodeId node, TimeSpan at) => Intervals.Any(x => x.Node == node && x.From <= at && at < x.Until);
}
