namespace Forge.NodeAgent.Config;

/// <summary>
/// Single-cluster mode (ENABLE_CLUSTER_MANAGEMENT=false): a coordination.k8s.io/v1 Lease with client-go semantics.
/// The renew deadline must be shorter than the lease duration (a leader gives up before anyone may take over).
/// With COORDINATORS configured, the Lease leader first asks the grant quorum for a standalone term
/// (<see cref="QuorumTimeout"/> bounds the wait; <see cref="RequireQuorum"/> forbids the Lease-only fallback; a Lease-only
/// leader asks again every <see cref="QuorumReprobe"/>).
/// </summary>
internal sealed record LeaseSettings(
    string Name,
    string Namespace,
    TimeSpan Duration,
    TimeSpan RenewDeadline,
    TimeSpan RetryPeriod,
    string? ApiUrl,
    TimeSpan StandaloneTtl,
    TimeSpan QuorumTimeout = default,
    bool RequireQuorum = false,
    TimeSpan QuorumReprobe = default)
{
    public static LeaseSettings Load(EnvReader env, string region)
    {
        static TimeSpan s(double v) => TimeSpan.FromSeconds(v);
        var settings = new LeaseSettings(
            env.String("LEASE_NAME", $"cardano-forge-{region}"),
            env.String("LEASE_NAMESPACE", env.String("NAMESPACE", "default")),
            env.Seconds("LEASE_DURATION", s(15), s(0.2), s(3600)),
            env.Seconds("LEASE_RENEW_DEADLINE", s(10), s(0.1), s(3600)),
            env.Seconds("LEASE_RETRY_PERIOD", s(2), s(0.05), s(600)),
            env.Optional("KUBE_API_URL"),
            // the grant TTL the agent waits out (plus margin) before forging on a freshly won Lease
            env.Seconds("STANDALONE_GRANT_TTL", s(15), s(0.1), s(3600)),
            // no answer from the quorum (link, registration, term) within this = unreachable: Lease-only, loudly
            env.Seconds("STANDALONE_QUORUM_TIMEOUT", s(5), s(0.1), s(600)),
            // true: never forge on the Lease alone (an unreachable quorum means no forging)
            env.Bool("STANDALONE_REQUIRE_QUORUM", false),
            // a Lease-only leader asks the quorum again this often and moves onto it when granted
            env.Seconds("STANDALONE_QUORUM_REPROBE", s(30), s(0.1), s(3600)));
        env.Check(settings.RenewDeadline < settings.Duration, "LEASE_RENEW_DEADLINE must be shorter than LEASE_DURATION");
        env.Check(settings.RetryPeriod < settings.RenewDeadline, "LEASE_RETRY_PERIOD must be shorter than LEASE_RENEW_DEADLINE");
        return settings;
    }
}
