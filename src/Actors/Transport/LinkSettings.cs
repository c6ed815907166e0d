namespace Forge.Transport;

/// <summary>Timing of the agent link, shared by both ends. Validated here so a bad value fails where it is set.</summary>
public sealed record LinkSettings
{
    /// <summary>How often each side sends a <see cref="Protocol.Ping"/>.</summary>
    public TimeSpan PingInterval { get; init; } = TimeSpan.FromSeconds(1);
    /// <summary>A link that delivered nothing (not even a Pong) for this long is closed as dead.</summary>
    public TimeSpan DeadLinkTimeout { get; init; } = TimeSpan.FromSeconds(3);
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(2);
    public TimeSpan HandshakeTimeout { get; init; } = TimeSpan.FromSeconds(3);
    /// <summary>First reconnect delay; doubles per failed round up to <see cref="BackoffMax"/>, with ±50% jitter.</summary>
    public TimeSpan BackoffMin { get; init; } = TimeSpan.FromMilliseconds(100);
    public TimeSpan BackoffMax { get; init; } = TimeSpan.FromSeconds(5);
    /// <summary>How often a link connected to a later endpoint tries the earlier ones (its region's coordinator first) and
    /// moves to the first that acknowledges its registration within <see cref="HandshakeTimeout"/>; zero: never.</summary>
    public TimeSpan ReturnHomeInterval { get; init; } = TimeSpan.FromSeconds(5);
    /// <summary>Frames queued for sending; a peer that lets the queue fill is closed (it is not reading).</summary>
    public int OutboundCapacity { get; init; } = 1024;

    public static readonly LinkSettings Default = new();

    public LinkSettings Validate()
    {
        Positive(PingInterval, nameof(PingInterval));
        Positive(ConnectTimeout, nameof(ConnectTimeout));
        Positive(HandshakeTimeout, nameof(HandshakeTimeout));
        Positive(BackoffMin, nameof(BackoffMin));
        if (DeadLinkTimeout <= PingInterval)
            throw new ArgumentException($"{nameof(DeadLinkTimeout)} ({DeadLinkTimeout}) must exceed {nameof(PingInterval)} ({PingInterval})");
        if (BackoffMax < BackoffMin)
            throw new ArgumentException($"{nameof(BackoffMax)} must be at least {nameof(BackoffMin)}");
        if (ReturnHomeInterval < TimeSpan.Zero) throw new ArgumentException($"{nameof(ReturnHomeInterval)} must not be negative, was {ReturnHomeInterval}");
        if (OutboundCapacity < 1) throw new ArgumentException($"{nameof(OutboundCapacity)} must be positive");
        return this;
    }

    private static void Positive(TimeSpan value, string name)
    {
        if (value <= TimeSpan.Zero) throw new ArgumentException($"{name} must be positive, was {value}");
    }
}
