namespace Forge.Transport;

/// <summary>Exponential backoff with ±50% jitter, so agents that lost the same coordinator do not reconnect in step.</summary>
public sealed class Backoff(TimeSpan min, TimeSpan max, Random? random = null)
{
    private readonly Random _random = random ?? Random.Shared;
    private int _failures;

    public void Reset() => _failures = 0;

    public TimeSpan Next()
    {
        var baseMs = Math.Min(max.TotalMilliseconds, min.TotalMilliseconds * Math.Pow(2, Math.Min(_failures, 30)));
        _failures++;
        return TimeSpan.FromMilliseconds(baseMs * (0.5 + _random.NextDouble()));
    }
}
