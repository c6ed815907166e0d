using System.Collections.Immutable;
using Akka.Configuration;
using Forge.Protocol;

namespace Forge.Grants;

/// <summary>Settings of the grant quorum (hocon: <c>forge.grants</c>, defaults and reasoning in hocon/grants.conf).</summary>
public sealed record GrantSettings
{
    public GrantSettings(
        ImmutableArray<string> regions,
        TimeSpan ttl,
        TimeSpan maxTtl,
        TimeSpan margin,
        int driftBoundPpm,
        TimeSpan batchInterval,
        TimeSpan roundTimeout,
        TimeSpan failoverProposalTimeout,
        string dataDirectory,
        double failoverQuietFraction = DefaultFailoverQuietFraction)
    {
        if (regions.IsDefaultOrEmpty) throw new ArgumentException("forge.grants.regions must list the configured regions");
        if (regions.Any(r => !NodeId.IsDnsLabel(r)))
            throw new ArgumentException("forge.grants.regions: every region must be a DNS-1123 name");
        if (regions.Distinct(StringComparer.Ordinal).Count() != regions.Length)
            throw new ArgumentException("forge.grants.regions must not repeat a region");
        // An even count gives no benefit over one fewer region and splits 1-vs-1 into two minorities; two-region
        // pools add a witness region (a coordinator with a replica and no cardano-node) instead.
        if (regions.Length % 2 == 0)
            throw new ArgumentException($"forge.grants.regions has {regions.Length} regions; use an odd count (add a witness region)");
        if (ttl <= TimeSpan.Zero) throw new ArgumentException("forge.grants.ttl must be positive");
        if (maxTtl < ttl) throw new ArgumentException("forge.grants.max-ttl must be at least forge.grants.ttl");
        Timing = new GrantTiming(margin, driftBoundPpm);
        if (Timing.AgentForgeFor(ttl, TimeSpan.Zero) <= TimeSpan.Zero)
            throw new ArgumentException("forge.grants.ttl must exceed its margin (max(margin, drift × ttl)), or nothing may forge");
        if (batchInterval <= TimeSpan.Zero || batchInterval * 10 > ttl)
            throw new ArgumentException("forge.grants.batch-interval must be positive and at most a tenth of forge.grants.ttl");
        if (roundTimeout <= batchInterval || roundTimeout >= ttl)
            throw new ArgumentException("forge.grants.round-timeout must exceed batch-interval and stay below ttl (a later answer is useless)");
        if (failoverProposalTimeout <= TimeSpan.Zero)
            throw new ArgumentException("forge.grants.failover-proposal-timeout must be positive");
        if (string.IsNullOrWhiteSpace(dataDirectory)) throw new ArgumentException("forge.grants.data-directory must be set");
        // Agents renew every TTL/5: quiet for more than two renew intervals means at least two renewals in a row missed a
        // majority, never one late or lost round. Above one TTL it would only delay failover past the replicas' wait.
        if (failoverQuietFraction is not (> 0.4 and <= 1.0))
            throw new ArgumentException("forge.grants.failover-quiet-fraction must be above 0.4 (two renew intervals of TTL/5) and at most 1");

        Regions = regions;
        Ttl = ttl;
        MaxTtl = maxTtl;
        BatchInterval = batchInterval;
        RoundTimeout = roundTimeout;
        FailoverProposalTimeout = failoverProposalTimeout;
        DataDirectory = dataDirectory;
        FailoverQuietFraction = failoverQuietFraction;
    }

    public const double DefaultFailoverQuietFraction = 0.5;

    /// <summary>The configured regions, one replica each. Majorities count these, never current members.</summary>
    public ImmutableArray<string> Regions { get; }

    /// <summary>Distinct regions needed for a grant or a renewal to count.</summary>
    public int Majority => Regions.Length / 2 + 1;

    /// <summary>Default term TTL (how long one renewal lets a node forge, before margins).</summary>
    public TimeSpan Ttl { get; }

    /// <summary>Largest TTL any term may carry (standalone-region terms use the Lease duration).</summary>
    public TimeSpan MaxTtl { get; }

    /// <summary>Margin and drift bound: the rule replicas and agents share.</summary>
    public GrantTiming Timing { get; }

    /// <summary>How long the batcher collects requests before it sends a round.</summary>
    public TimeSpan BatchInterval { get; }

    /// <summary>A grant or renewal round still without a majority after this is answered as refused.</summary>
    public TimeSpan RoundTimeout { get; }

    /// <summary>How long past <see cref="QuietAfter"/> a coordinator other than the arbiter waits for the arbiter before it
    /// proposes a failover term itself; the k-th such coordinator (rank order) waits k times this.</summary>
    public TimeSpan FailoverProposalTimeout { get; }

    /// <summary>A term quiet on a majority for this fraction of its TTL has lost its holder (see <see cref="QuietAfter"/>).</summary>
    public double FailoverQuietFraction { get; }

    /// <summary>A term not renewed on a majority of replicas for this long has lost its holder: the arbiter proposes a
    /// successor at once. Safe whatever the value (the replicas still make the successor wait out TTL + margin after the
    /// last renewal they saw); the bound only keeps a healthy holder (renewing every TTL/5) from being replaced.</summary>
    public TimeSpan QuietAfter(TimeSpan ttl) => ttl * FailoverQuietFraction;

    /// <summary>Where the region's replica keeps its state file (a persistent volume on the pinned pod).</summary>
    public string DataDirectory { get; }

    public bool IsConfiguredRegion(string region) => Regions.Contains(region, StringComparer.Ordinal);

    /// <summary>Checks a term TTL a proposer is asked to use.</summary>
    public TimeSpan ValidateTermTtl(TimeSpan ttl) =>
        ttl > MaxTtl || Timing.AgentForgeFor(ttl, TimeSpan.Zero) <= TimeSpan.Zero
            ? throw new ArgumentOutOfRangeException(nameof(ttl), $"term TTL {ttl} must exceed its margin and be at most forge.grants.max-ttl ({MaxTtl})")
            : ttl;

    public static GrantSettings FromConfig(Config config)
    {
        var c = config.GetConfig("forge.grants")
            ?? throw new ArgumentException("missing configuration section forge.grants");
        return new GrantSettings(
            [.. c.GetStringList("regions")],
            c.GetTimeSpan("ttl", null, allowInfinite: false),
            c.GetTimeSpan("max-ttl", null, allowInfinite: false),
            c.GetTimeSpan("margin", null, allowInfinite: false),
            c.GetInt("drift-bound-ppm"),
            c.GetTimeSpan("batch-interval", null, allowInfinite: false),
            c.GetTimeSpan("round-timeout", null, allowInfinite: false),
            c.GetTimeSpan("failover-proposal-timeout", null, allowInfinite: false),
            c.GetString("data-directory"),
            c.GetDouble("failover-quiet-fraction", DefaultFailoverQuietFraction));
    }
}
