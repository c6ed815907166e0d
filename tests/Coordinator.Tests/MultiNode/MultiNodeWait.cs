using System.Diagnostics;
using Akka.Actor;

namespace Forge.Coordinator.Tests.MultiNode;

/// <summary>Awaits a condition with a deadline (no fixed sleeps); ask timeouts while a system is cut off count as "not yet".</summary>
public static class MultiNodeWait
{
    public static async Task Until(Func<bool> condition, TimeSpan deadline, string what) =>
        await Until(() => Task.FromResult(condition()), deadline, what);

    public static async Task Until(Func<Task<bool>> condition, TimeSpan deadline, string what)
    {
        var sw = Stopwatch.StartNew();
        while (sw.Elapsed < deadline)
        {
            try
            {
                if (await condition()) return;
            }
            catch (Exception e) when (e is AskTimeoutException or TaskCanceledException or TimeoutException)
            {
            }
            await Task.Delay(100);
        }
        throw new TimeoutException($"'{what}' did not happen within {deadline.TotalSeconds}s");
    }
}
