namespace Forge.NodeSide.Tests.Infrastructure;

/// <summary>Drains a child's output on a dedicated thread: the async Process events run on the thread pool, which a busy
/// test run starves, and a child whose stdout pipe fills up blocks (and then looks hung to the test).</summary>
internal static class LinePump
{
    public static void Start(StreamReader reader, Action<string> onLine)
    {
        new Thread(() =>
        {
            try
            {
                while (reader.ReadLine() is { } line) onLine(line);
            }
            catch (Exception e) when (e is IOException or ObjectDisposedException)
            {
            }
        }) { IsBackground = true }.Start();
    }
}
