namespace Forge.Kubernetes.Tests.Support;

/// <summary>Polls a condition until it holds or a deadline passes (no fixed sleeps in tests).</summary>
internal static class Eventually
{
    public static async Task<T> Until<T>(Func<Task<T>> probe, Func<T, bool> done, TimeSpan? within = null, string what = "condition")
    {
        var deadline = DateTime.UtcNow + (within ?? TimeSpan.FromSeconds(10));
        var delay = TimeSpan.FromMilliseconds(20);
        while (true)
        {
            var value = await probe();
            if (done(value))
            {
                return value;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"{what} did not hold in time; last value: {value}");
            }

            await Task.Delay(delay);
            delay = TimeSpan.FromMilliseconds(Math.Min(delay.TotalMilliseconds * 2, 200));
        }
    }
}
