namespace Forge.FaultInjection.Running;

internal static class Poll
{
    /// <summary>Checks <paramref name="condition"/> every 100 ms until it holds (true) or <paramref name="limit"/> passes (false).</summary>
    public static async Task<bool> UntilAsync(Func<Task<bool>> condition, TimeSpan limit, CancellationToken ct = default)
    {
        var deadline = DateTime.UtcNow + limit;
        while (true)
        {
            if (await condition().ConfigureAwait(false)) return true;
            if (DateTime.UtcNow > deadline) return false;
            await Task.Delay(100, ct).ConfigureAwait(false);
        }
    }

    public static Task<bool> UntilAsync(Func<bool> condition, TimeSpan limit, CancellationToken ct = default) =>
        UntilAsync(() => Task.FromResult(condition()), limit, ct);
}
