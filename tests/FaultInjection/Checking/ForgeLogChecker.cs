namespace Forge.FaultInjection.Checking;

/// <summary>An interval during which one node's forging was on, by CLOCK_MONOTONIC ns.</summary>
public sealed record OnInterval(string Node, long From, long To, string EndedBy);

public sealed record DoubleForgedSlot(long Slot, IReadOnlyList<string> Nodes);

public sealed record IntervalOverlap(OnInterval First, OnInterval Second, long Nanos);

/// <summary>A process death the runner caused (it knows when it sent SIGKILL): ends an on-interval the log left open.</summary>
public sealed record NodeDeath(string Node, long Mono);

/// <summary>What one check found. <see cref="Safe"/> means no double-forged slot and no overlap; <see cref="Evidence"/>
/// says whether anything was forged in the window at all (a window with no forging proves nothing).</summary>
public sealed record CheckResult(
    int Files,
    int Entries,
    int SlotsForged,
    IReadOnlyList<OnInterval> Intervals,
    IReadOnlyList<DoubleForgedSlot> DoubleForged,
    IReadOnlyList<IntervalOverlap> Overlaps,
    IReadOnlyList<string> Anomalies,
    long? LongestGapNanos,
    long? LongestGapFrom)
{
    public bool Safe => DoubleForged.Count == 0 && Overlaps.Count == 0;
    public bool Evidence => SlotsForged > 0;
}

/// <summary>
/// The ground-truth check over every node's forge log of a run: no slot forged by two nodes, no two nodes'
/// on-intervals overlapping in monotonic time, the longest gap with no forged slot, and time from a fault to the next
/// forged slot. An "on" without its "off" (the node was killed, or restarted) is closed conservatively: at a
/// <see cref="NodeDeath"/> the runner reports, else at the node's last line of that run, else — the node still writing
/// near the horizon — at the horizon.
/// </summary>
public static class ForgeLogChecker
{
    /// <summary>A node whose last line is this recent at the horizon is taken as still forging.</summary>
    public static readonly long LiveSlackNanos = 2_000_000_000;

    public static CheckResult Check(IReadOnlyList<NodeForgeLog> logs, long fromMono = long.MinValue, long toMono = long.MaxValue,
        IReadOnlyList<NodeDeath>? deaths = null)
    {
        deaths ??= [];
        var anomalies = logs.SelectMany(l => l.Malformed).ToList();
        var intervals = logs.SelectMany(l => Intervals(l, deaths, toMono, anomalies)).Where(i => i.To >= fromMono && i.From <= toMono)
            .OrderBy(i => i.From).ToList();
        var slots = logs.SelectMany(l => l.Entries.Where(e => e.Slot is not null).Select(e => e with { Node = l.Node }))
            .Where(e => e.Mono >= fromMono && e.Mono <= toMono).OrderBy(e => e.Mono).ToList();

        var doubles = slots.GroupBy(e => e.Slot!.Value)
            .Select(g => new DoubleForgedSlot(g.Key, g.Select(e => e.Node).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList()))
            .Where(d => d.Nodes.Count > 1).OrderBy(d => d.Slot).ToList();

        var overlaps = new List<IntervalOverlap>();
        for (var i = 0; i < intervals.Count; i++)
        for (var j = i + 1; j < intervals.Count && intervals[j].From < intervals[i].To; j++)
            if (intervals[j].Node != intervals[i].Node)
                overlaps.Add(new IntervalOverlap(intervals[i], intervals[j], Math.Min(intervals[i].To, intervals[j].To) - intervals[j].From));

        var (gap, gapFrom) = LongestGap(slots.Select(e => e.Mono).ToList(), fromMono, toMono);
        return new CheckResult(logs.Count, logs.Sum(l => l.Entries.Count), slots.Count, intervals, doubles, overlaps, anomalies, gap, gapFrom);
    }

    /// <summary>Nanoseconds from <paramref name="faultMono"/> to the first forged slot after it; with <paramref name="fresh"/>,
    /// only a slot of an on-interval that began after the fault counts (the forger was hit: its old interval is not recovery).</summary>
    public static long? Recovery(IReadOnlyList<NodeForgeLog> logs, CheckResult result, long faultMono, bool fresh)
    {
        var candidates = logs.SelectMany(l => l.Entries.Where(e => e.Slot is not null && e.Mono >= faultMono).Select(e => e with { Node = l.Node }));
        foreach (var e in candidates.OrderBy(e => e.Mono))
        {
            if (!fresh || result.Intervals.Any(i => i.Node == e.Node && i.From >= faultMono && i.From <= e.Mono && e.Mono <= i.To))
                return e.Mono - faultMono;
        }
        return null;
    }

    /// <summary>The on-intervals of one node's log, in file order.</summary>
    public static IReadOnlyList<OnInterval> Intervals(NodeForgeLog log, IReadOnlyList<NodeDeath> deaths, long horizon, List<string> anomalies)
    {
        var result = new List<OnInterval>();
        long? open = null;
        long last = long.MinValue;
        var mine = deaths.Where(d => d.Node == log.Node).Select(d => d.Mono).Order().ToList();

        long CloseUnended(long start, long lastLine, long limit, out string by)
        {
            var death = mine.FirstOrDefault(d => d >= lastLine && d <= limit, long.MinValue);
            if (death != long.MinValue)
            {
                by = "death";
                return death;
            }
            by = "last-line";
            return lastLine;
        }

        foreach (var e in log.Entries)
        {
            if (e.Mono < last) anomalies.Add($"{log.Path}: mono goes backwards at {e.Mono} (after {last})");
            if (e.Event == "on")
            {
                if (open is { } o)
                {
                    var to = CloseUnended(o, last, e.Mono, out var by);
                    result.Add(new OnInterval(log.Node, o, to, "restart/" + by));
                }
                open = e.Mono;
            }
            else if (e.Event == "off")
            {
                if (open is { } o) result.Add(new OnInterval(log.Node, o, e.Mono, "off"));
                open = null;
            }
            else if (open is null)
            {
                // a forged slot with forging not on: count it as forging from here, so it cannot hide an overlap
                anomalies.Add($"{log.Path}: slot {e.Slot} forged outside an on-interval");
                open = e.Mono;
            }
            last = e.Mono;
        }
        if (open is { } stillOpen)
        {
            var to = CloseUnended(stillOpen, last, horizon, out var by);
            if (by == "last-line" && horizon != long.MaxValue && horizon - last <= LiveSlackNanos)
                result.Add(new OnInterval(log.Node, stillOpen, Math.Max(horizon, last), "horizon"));
            else
                result.Add(new OnInterval(log.Node, stillOpen, to, by));
        }
        return result;
    }

    private static (long?, long?) LongestGap(List<long> slotMonos, long from, long to)
    {
        if (slotMonos.Count == 0) return (from != long.MinValue && to != long.MaxValue ? to - from : null, from == long.MinValue ? null : from);
        var points = new List<long>();
        if (from != long.MinValue) points.Add(from);
        points.AddRange(slotMonos);
        if (to != long.MaxValue) points.Add(to);
        long best = 0, bestFrom = points[0];
        for (var i = 1; i < points.Count; i++)
        {
            if (points[i] - points[i - 1] > best)
            {
                best = points[i] - points[i - 1];
                bestFrom = points[i - 1];
            }
        }
        return (best, bestFrom);
    }
}
