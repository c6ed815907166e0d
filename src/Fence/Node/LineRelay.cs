using System.Collections.Concurrent;

namespace Forge.Fence.Node;

/// <summary>
/// Passes the node's log lines on (fence stdout, WATCH connections) from a queue on its own thread, so a reader that
/// stops reading can never block the node's stdout pump — which feeds the verification — or the node itself. When the
/// queue is full, lines are dropped and counted, never waited for.
/// </summary>
internal sealed class LineRelay : IDisposable
{
    private const int Capacity = 10_000;
    private readonly BlockingCollection<string> _lines = new(Capacity);
    private long _dropped;

    public LineRelay(Action<string> sink)
    {
        new Thread(() =>
        {
            foreach (var line in _lines.GetConsumingEnumerable())
            {
                try
                {
                    sink(line);
                }
                catch (Exception e) when (e is IOException or ObjectDisposedException)
                {
                    // a broken sink loses lines, nothing else
                }
            }
        }) { IsBackground = true, Name = "node-log-relay" }.Start();
    }

    public long Dropped => Interlocked.Read(ref _dropped);

    public void Post(string line)
    {
        if (!_lines.TryAdd(line)) Interlocked.Increment(ref _dropped);
    }

    public void Dispose() => _lines.CompleteAdding();
}
