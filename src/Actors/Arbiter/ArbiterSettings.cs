using Akka.Configuration;

namespace Forge.Arbiter;

/// <summary>Settings of the ForgeArbiter singleton (hocon: <c>forge.arbiter</c>, defaults in hocon/coordinator.conf).</summary>
public sealed record ArbiterSettings
{
    public const string Section = "forge.arbiter";

    public ArbiterSettings(TimeSpan decideInterval, TimeSpan revokeTimeout, TimeSpan proposeTimeout, TimeSpan startupSettle,
        TimeSpan viewStaleAfter, TimeSpan grantTtl, int historySize, SuccessorFreshness? successorFreshness = null,
        TimeSpan? republishAfter = null)
    {
        if (decideInterval <= TimeSpan.Zero) throw new ArgumentException($"{Section}.decide-interval must be positive");
        if (revokeTimeout <= TimeSpan.Zero) throw new ArgumentException($"{Section}.revoke-timeout must be positive");
        if (proposeTimeout <= TimeSpan.Zero) throw new ArgumentException($"{Section}.propose-timeout must be positive");
        if (startupSettle < TimeSpan.Zero) throw new ArgumentException($"{Section}.startup-settle must not be negative");
        if (viewStaleAfter <= decideInterval)
            throw new ArgumentException($"{Section}.view-stale-after ({viewStaleAfter}) must exceed {Section}.decide-interval ({decideInterval})");
        if (grantTtl <= TimeSpan.Zero) throw new ArgumentException($"{Section}.grant-ttl must be positive");
        if (historySize < 1) throw new ArgumentException($"{Section}.history-size must be at least 1");
        if (republishAfter is { } r && r < decideInterval)
            throw new ArgumentException($"{Section}.republish-after ({r}) must be at least {Section}.decide-interval ({decideInterval})");
        DecideInterval = decideInterval;
        RevokeTimeout = revokeTimeout;
        ProposeTimeout = proposeTimeout;
        StartupSettle = startupSettle;
        ViewStaleAfter = viewStaleAfter;
        GrantTtl = grantTtl;
        HistorySize = historySize;
        Successor = successorFreshness ?? SuccessorFreshness.Default;
        RepublishAfter = republishAfter ?? TimeSpan.FromSeconds(15);
    }

    /// <summary>Every pool is decided again this often (failback delays, override expiry, stale views).</summary>
    public TimeSpan DecideInterval { get; }
    /// <summary>A planned handover waits this long for the holder's verified release; then it proposes without it
    /// (the quorum makes the new term wait out the old one's TTL).</summary>
    public TimeSpan RevokeTimeout { get; }
    /// <summary>A proposal with no answer after this long is considered failed.</summary>
    public TimeSpan ProposeTimeout { get; }
    /// <summary>After the singleton starts, it only listens this long (node views arrive with the terms the agents
    /// hold) before it proposes anything, so a new arbiter does not move forging it did not see.</summary>
    public TimeSpan StartupSettle { get; }
    /// <summary>A node view not refreshed for this long counts as not alive.</summary>
    public TimeSpan ViewStaleAfter { get; }
    /// <summary>TTL of the terms the arbiter proposes.</summary>
    public TimeSpan GrantTtl { get; }
    /// <summary>Transitions kept per pool for GetPoolState.</summary>
    public int HistorySize { get; }
    /// <summary>Which candidates may succeed a holder that is not live (<see cref="SuccessorFreshness"/>).</summary>
    public SuccessorFreshness Successor { get; }
    /// <summary>A pool's state is published again after this long even when unchanged: publications otherwise come only on
    /// change, and a subscriber that missed one (a pub-sub subscription still spreading after a start) would keep an old
    /// state - the failover watches choose successors from it when the arbiter is lost.</summary>
    public TimeSpan RepublishAfter { get; }

    public static ArbiterSettings FromConfig(Config config)
    {
        var c = config.GetConfig(Section);
        if (c is null || c.IsEmpty) throw new ArgumentException($"missing configuration section {Section}");
        TimeSpan T(string k) => c.GetTimeSpan(k, null, false);
        return new ArbiterSettings(T("decide-interval"), T("revoke-timeout"), T("propose-timeout"), T("startup-settle"),
            T("view-stale-after"), T("grant-ttl"), c.GetInt("history-size"),
            new SuccessorFreshness(T("successor-report-stale-after"), T("successor-view-stale-after")),
            c.HasPath("republish-after") ? T("republish-after") : null);
    }
}
