using System.Diagnostics;

namespace Forge.NodeSide.Tests.Infrastructure;

/// <summary>Waits for a condition by polling it until a deadline: never a bare sleep standing in for a condition.</summary>
internal static class Poll
{
    public static void Until(Func<bool> condition, TimeSpan timeout, string what)
    {
        var clock = Stopwatch.StartNew();
        while (!condition())
        {
            if (clock.Elapsed > timeout) throw new TimeoutException($"not within {timeout.TotalMilliseconds} ms: {what}");
            Thread.Sleep(5);
        }
    }

    public static T Until<T>(Func<T?> probe, TimeSpan timeout, string what) where T : class
    {
        T? value = null;
        Until(() => (value = probe()) is not null, timeout, what);
        return value!;
    }

    /// <summary>Asserts that <paramref name="never"/> stays false for the whole window (an absence can only be observed over time).</summary>
    public static void Never(Func<bool> never, TimeSpan window, string what)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < window)
        {
            if (never()) throw new InvalidOperationException($"happened within {window.TotalMilliseconds} ms: {what}");
            Thread.Sleep(10);
        }
    }
}
