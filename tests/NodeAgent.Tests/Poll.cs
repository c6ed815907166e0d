namespace Forge.NodeAgent.Tests;

/// <summary>Waits for a condition with a deadline instead of sleeping for a guessed time.</summary>
internal static class Poll
{
    public static async Task UntilAsync(Func<bool> condition, TimeSpan timeout, string what)
    {
        var deadline = Environment.TickCount64 + (long)timeout.TotalMilliseconds;
        while (!condition())
        {
            if (Environment.TickCount64 > deadline) throw new TimeoutException($"timed out after {timeout} waiting for {what}");
            await Task.Delay(10);
        }
    }

    public static async Task<T> UntilAsync<T>(Func<T?> probe, TimeSpan timeout, string what) where T : class
    {
        T? value = null;
        await UntilAsync(() => (value = probe()) is not null, timeout, what);
        return value!;
    }
}
