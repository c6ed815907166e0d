namespace Forge.NodeAgent.Config;

/// <summary>The agent's timing knobs. The permission rule's margin and the fence's disable bound must match the fence's
/// own settings (the fence's <c>--disable-bound-ms</c>): the agent subtracts them from every grant.</summary>
internal sealed record AgentTimings
{
    /// <summary>Safety margin subtracted from every permission (clock-rate drift × TTL, plus scheduling).</summary>
    public TimeSpan Margin { get; init; } = TimeSpan.FromMilliseconds(500);
    /// <summary>Clock-rate bound assumed for CLOCK_BOOTTIME, as forge.grants.drift-bound-ppm (hocon/grants.conf).</summary>
    public int DriftBoundPpm { get; init; } = 100_000;
    /// <summary>The fence's enforced disable bound (its --disable-bound-ms).</summary>
    public TimeSpan FenceDisableBound { get; init; } = TimeSpan.FromSeconds(2);
    /// <summary>How often a forger renews; zero = a fifth of the grant's TTL.</summary>
    public TimeSpan RenewInterval { get; init; } = TimeSpan.Zero;
    /// <summary>An unanswered grant request or renewal is sent again (new request id) after this.</summary>
    public TimeSpan RequestRetry { get; init; } = TimeSpan.FromMilliseconds(500);
    /// <summary>A refused registration is sent again after this (the refusal may be transient: the pool's
    /// CardanoForgeCluster not yet loaded by the coordinators, an old incarnation not yet stale).</summary>
    public TimeSpan RegistrationRetry { get; init; } = TimeSpan.FromSeconds(5);
    /// <summary>No answer from the fence for this long while it may hold a deadline = a stalled fence: kill the node.</summary>
    public TimeSpan FenceTimeout { get; init; } = TimeSpan.FromSeconds(1);
    public TimeSpan FencePollInterval { get; init; } = TimeSpan.FromMilliseconds(200);
    /// <summary>SIGTERM of a forger: how long to wait for the coordinator's revoke before disabling anyway. Below the
    /// fence's 5 s grace for its agent in exec mode, so the handover completes before a SIGKILL.</summary>
    public TimeSpan HandoverTimeout { get; init; } = TimeSpan.FromSeconds(4);
    /// <summary>Status reports and node health checks.</summary>
    public TimeSpan StatusInterval { get; init; } = TimeSpan.FromSeconds(1);
    public TimeSpan Tick { get; init; } = TimeSpan.FromMilliseconds(20);

    public static AgentTimings Load(EnvReader env)
    {
        static TimeSpan ms(double v) => TimeSpan.FromMilliseconds(v);
        var t = new AgentTimings
        {
            Margin = env.Millis("GRANT_MARGIN_MS", ms(500), ms(0), ms(60_000)),
            DriftBoundPpm = env.Int("DRIFT_BOUND_PPM", 100_000, 0, 499_999),
            FenceDisableBound = env.Millis("FENCE_DISABLE_BOUND_MS", ms(2000), ms(350), ms(60_000)),
            RenewInterval = env.Millis("RENEW_INTERVAL_MS", TimeSpan.Zero, TimeSpan.Zero, ms(60_000)),
            RequestRetry = env.Millis("REQUEST_RETRY_MS", ms(500), ms(10), ms(60_000)),
            RegistrationRetry = env.Millis("REGISTRATION_RETRY_MS", ms(5_000), ms(100), ms(600_000)),
            FenceTimeout = env.Millis("FENCE_TIMEOUT_MS", ms(1000), ms(100), ms(60_000)),
            FencePollInterval = env.Millis("FENCE_POLL_MS", ms(200), ms(10), ms(10_000)),
            HandoverTimeout = env.Millis("HANDOVER_TIMEOUT_MS", ms(4_000), ms(100), ms(300_000)),
            StatusInterval = env.Millis("STATUS_INTERVAL_MS", ms(1000), ms(50), ms(60_000)),
        };
        env.Check(t.FencePollInterval < t.FenceTimeout, "FENCE_POLL_MS must be below FENCE_TIMEOUT_MS");
        return t;
    }
}
