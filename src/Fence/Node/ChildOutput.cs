using System.Diagnostics;

namespace Forge.Fence.Node;

/// <summary>Pumps a child's stdout and stderr line by line on two dedicated threads (not the thread pool).</summary>
internal static class ChildOutput
{
    public static void Pump(Process process, string name, Action<string> onStdout, Action<string> onStderr)
    {
        Start(process.StandardOutput, $"{name}-stdout", onStdout);
        Start(process.StandardError, $"{name}-stderr", onStderr);
    }

    private static void Start(StreamReader reader, string threadName, Action<string> onLine)
    {
        var thread = new Thread(() =>
        {
            try
            {
                while (reader.ReadLine() is { } line) onLine(line);
            }
            catch (Exception e) when (e is IOException or ObjectDisposedException)
            {
                // the child is gone
            }
        }) { IsBackground = true, Name = threadName };
        thread.Start();
    }
}
