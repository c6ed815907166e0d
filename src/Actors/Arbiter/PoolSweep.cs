namespace Forge.Arbiter;

/// <summary>
/// The periodic sweep that decides every pool again, cut into slices of <see cref="SliceSize"/> pools, one slice per
/// arbiter message: at 1,000 pools a whole sweep in one message kept a spec change (or a release, or a quiet report)
/// waiting in the mailbox for tens of milliseconds (57–91 ms mean, 176 ms max in the scale world), which was the tail of
/// change → revoke. Between slices the other messages are handled in arrival order. Every pool is still decided once
/// per sweep; a tick that comes while a sweep runs starts another right after it (never two at once, none skipped).
/// </summary>
public sealed class PoolSweep
{
    /// <summary>Pools decided per message (about 1–5 ms of work at 20–50 µs a pool).</summary>
    public const int SliceSize = 50;

    private readonly Queue<string> _pending = new();
    private readonly int _sliceSize;
    private bool _again;

    public PoolSweep(int sliceSize = SliceSize)
    {
        if (sliceSize < 1) throw new ArgumentOutOfRangeException(nameof(sliceSize), "a slice holds at least one pool");
        _sliceSize = sliceSize;
    }

    /// <summary>A sweep is under way (slices remain).</summary>
    public bool Running => _pending.Count > 0;

    /// <summary>A tick: sweep <paramref name="pools"/>. True when a sweep starts (send the first slice message); false
    /// when one is already running (another follows it) or there is nothing to sweep.</summary>
    public bool Start(IEnumerable<string> pools)
    {
        if (Running)
        {
            _again = true;
            return false;
        }
        foreach (var p in pools) _pending.Enqueue(p);
        return Running;
    }

    /// <summary>The next slice to decide; <paramref name="more"/> says whether another slice message is needed. When
    /// this sweep ends and a tick came meanwhile, the next sweep (over <paramref name="pools"/> as they are then)
    /// begins.</summary>
    public IReadOnlyList<string> NextSlice(Func<IEnumerable<string>> pools, out bool more)
    {
        var slice = new List<string>(Math.Min(_sliceSize, _pending.Count));
        while (slice.Count < _sliceSize && _pending.TryDequeue(out var p)) slice.Add(p);
        if (!Running && _again)
        {
            _again = false;
            foreach (var p in pools()) _pending.Enqueue(p);
        }
        more = Running;
        return slice;
    }
}
