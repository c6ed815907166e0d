using System.Collections.Immutable;
using Akka.Actor;
using Akka.Cluster.Tools.PublishSubscribe;
using Forge.Arbiter;
using Forge.Cluster;
using Forge.Coordinator.Metrics;
using Forge.Decider;
using Forge.Grants;
using Forge.Health;
using Forge.Kubernetes;
using Xunit;

namespace Forge.Coordinator.Tests.Metrics;

/// <summary>Every series the alert rules and the dashboard read from a coordinator, fed through the listener as in
/// production (EventStream facts, the arbiter's pool-state topic), read back as a scrape.</summary>
public sealed class MetricsSeriesSpec : MetricsFixtures
{
    private const string Config = """
        akka.actor.provider = cluster
        akka.remote.dot-netty.tcp { hostname = 127.0.0.1, port = 0 }
        akka.loglevel = WARNING
        """;

    private readonly CoordinatorMetrics _metrics = new();
    private readonly IActorRef _listener;

    public MetricsSeriesSpec() : base(Config)
    {
        _metrics.Attach(Sys, "us-east-1");
        _listener = Sys.ActorOf(MetricsListener.Props(_metrics, null));
        // answered only after PreStart: from then on its EventStream subscriptions are in place
        _listener.Ask<ActorIdentity>(new Identify(null), TimeSpan.FromSeconds(5)).GetAwaiter().GetResult();
    }

    private async Task<Dictionary<string, double>> Until(Func<Dictionary<string, double>, bool> ok)
    {
        Dictionary<string, double> last = [];
        await AwaitConditionAsync(async () => ok(last = await Scrape(_metrics)), TimeSpan.FromSeconds(10));
        return last;
    }

    [Fact]
    public async Task Quorum_reachability_is_0_until_a_probe_round_reaches_a_majority()
    {
        const string key = "forge_coordinator_grant_quorum_reachable{region=\"us-east-1\"}";
        Assert.Equal(0, (await Scrape(_metrics))[key]);
        Publish(new GrantQuorumReachability(["eu-west-1", "us-east-1"], 3, 2));
        await Until(s => s[key] == 1);
        Publish(new GrantQuorumReachability(["us-east-1"], 3, 2));
        await Until(s => s[key] == 0);
    }

    [Fact]
    public async Task A_liveness_watchdog_suspicion_shows_until_it_clears_and_both_rules_read_0_from_the_first_scrape()
    {
        const string key = "forge_coordinator_liveness_watchdog_suspect{rule=\"MinorityCluster\"}";
        var first = await Scrape(_metrics);
        Assert.Equal(0, first[key]);
        Assert.Equal(0, first["forge_coordinator_liveness_watchdog_suspect{rule=\"SingletonsMissing\"}"]);
        Publish(new LivenessWatchdogSuspicion(LivenessRule.MinorityCluster, true, "island"));
        await Until(s => s[key] == 1);
        Publish(new LivenessWatchdogSuspicion(LivenessRule.MinorityCluster, false, "merged"));
        await Until(s => s[key] == 0);
    }

    [Fact]
    public async Task Crd_sync_starts_at_first_sight_moves_on_each_confirmation_and_goes_with_the_cluster()
    {
        const string key = "forge_coordinator_crd_status_last_sync_timestamp_seconds{region=\"us-east-1\",cluster=\"us-west-2-prod\"}";
        var seen = DateTimeOffset.FromUnixTimeSeconds(1_800_000_000);
        Publish(new CrdClusterTracked("us-east-1", "us-west-2-prod", seen));
        await Until(s => s.GetValueOrDefault(key) == 1_800_000_000);
        Publish(new CrdStatusSynced("us-east-1", "us-west-2-prod", seen.AddSeconds(30)));
        await Until(s => s[key] == 1_800_000_030);
        Publish(new CrdClusterTracked("us-east-1", "us-west-2-prod", seen.AddSeconds(60))); // a second sight is no confirmation
        Publish(new CrdClusterUntracked("us-east-1", "us-west-2-prod"));
        var after = await Until(s => !s.ContainsKey(key));
        Assert.DoesNotContain(after.Keys, k => k.Contains("us-west-2-prod", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Health_probes_count_both_outcomes_from_the_first_probe_and_time_each_request()
    {
        Publish(new HealthProbeCompleted("pool1", "us-east-1-prod", true, TimeSpan.FromMilliseconds(20)));
        var s = await Until(s => s.GetValueOrDefault("forge_coordinator_health_probes_total{cluster=\"us-east-1-prod\",outcome=\"success\"}") == 1);
        Assert.Equal(0, s["forge_coordinator_health_probes_total{cluster=\"us-east-1-prod\",outcome=\"failure\"}"]);
        Assert.Equal(1, s["forge_coordinator_health_probe_duration_seconds_count{cluster=\"us-east-1-prod\"}"]);
        Assert.Equal(0.02, s["forge_coordinator_health_probe_duration_seconds_sum{cluster=\"us-east-1-prod\"}"], 6);

        Publish(new HealthProbeCompleted("pool1", "us-east-1-prod", false, null)); // no request made: counted, not timed
        s = await Until(s => s["forge_coordinator_health_probes_total{cluster=\"us-east-1-prod\",outcome=\"failure\"}"] == 1);
        Assert.Equal(1, s["forge_coordinator_health_probe_duration_seconds_count{cluster=\"us-east-1-prod\"}"]);
    }

    [Fact]
    public async Task The_local_arbiters_state_gives_effective_state_override_and_transitions_and_a_remote_one_removes_the_gauges()
    {
        var east = Node("us-east-1-prod");
        var west = Node("us-west-2-prod");
        Publish(new ArbiterGrantStates(ImmutableDictionary<string, int>.Empty.Add("granted", 1)));
        _listener.Tell(new PoolStateChanged(State(east, Verdict("us-east-1-prod", reason: "Forging", leader: east), Verdict("us-west-2-prod"))), TestActor);
        var s = await Until(s => s.ContainsKey("forge_coordinator_cluster_effective_state{cluster=\"us-west-2-prod\",state=\"Priority-based\"}"));
        Assert.Equal(1, s["forge_coordinator_cluster_effective_state{cluster=\"us-east-1-prod\",state=\"Priority-based\"}"]);
        Assert.Equal(0, s["forge_coordinator_cluster_effective_state{cluster=\"us-east-1-prod\",state=\"Disabled\"}"]);
        Assert.Equal(0, s["forge_coordinator_override_active{region=\"us-east-1\",cluster=\"us-east-1-prod\"}"]);
        Assert.Equal(1, s["forge_coordinator_pools_by_grant_state{state=\"granted\"}"]);
        foreach (var reason in LeadershipTransitions.Reasons) // every reason exists at 0 before the first move
            Assert.Equal(0, s[$"forge_coordinator_leadership_transitions_total{{cluster=\"us-west-2-prod\",reason=\"{reason}\"}}"]);

        // maintenance: east Disabled by an override, forging moves to west
        _listener.Tell(new PoolStateChanged(State(west,
            Verdict("us-east-1-prod", ForgeStates.DisabledText, "Disabled", overrideActive: true), Verdict("us-west-2-prod", reason: "Forging", leader: west))), TestActor);
        s = await Until(s => s["forge_coordinator_leadership_transitions_total{cluster=\"us-west-2-prod\",reason=\"disabled\"}"] == 1);
        Assert.Equal(1, s["forge_coordinator_cluster_effective_state{cluster=\"us-east-1-prod\",state=\"Disabled\"}"]);
        Assert.Equal(0, s["forge_coordinator_cluster_effective_state{cluster=\"us-east-1-prod\",state=\"Priority-based\"}"]);
        Assert.Equal(1, s["forge_coordinator_override_active{region=\"us-east-1\",cluster=\"us-east-1-prod\"}"]);
        Assert.Equal(1, s.Where(kv => kv.Key.StartsWith("forge_coordinator_leadership_transitions_total", StringComparison.Ordinal)).Sum(kv => kv.Value));

        // the arbiter now runs on another coordinator: this one's arbiter gauges go, its counters stay
        _listener.Tell(new PoolStateChanged(State(west, Verdict("us-west-2-prod"))), new RemotePretender(((ExtendedActorSystem)Sys).Provider));
        s = await Until(s => !s.Keys.Any(k => k.StartsWith("forge_coordinator_cluster_effective_state", StringComparison.Ordinal)));
        Assert.DoesNotContain(s.Keys, k => k.StartsWith("forge_coordinator_override_active", StringComparison.Ordinal));
        Assert.DoesNotContain(s.Keys, k => k.StartsWith("forge_coordinator_pools_by_grant_state", StringComparison.Ordinal));
        Assert.Equal(1, s["forge_coordinator_leadership_transitions_total{cluster=\"us-west-2-prod\",reason=\"disabled\"}"]);
    }

    [Fact]
    public async Task A_cluster_that_leaves_the_pool_leaves_the_gauges()
    {
        var east = Node("us-east-1-prod");
        _listener.Tell(new PoolStateChanged(State(east, Verdict("us-east-1-prod", reason: "Forging"), Verdict("us-west-2-prod"))), TestActor);
        await Until(s => s.ContainsKey("forge_coordinator_override_active{region=\"us-east-1\",cluster=\"us-west-2-prod\"}"));
        _listener.Tell(new PoolStateChanged(State(east, Verdict("us-east-1-prod", reason: "Forging"))), TestActor);
        var s = await Until(s => !s.ContainsKey("forge_coordinator_override_active{region=\"us-east-1\",cluster=\"us-west-2-prod\"}"));
        Assert.DoesNotContain(s.Keys, k => k.StartsWith("forge_coordinator_cluster_effective_state{cluster=\"us-west-2-prod\"", StringComparison.Ordinal));
        Assert.Equal(1, s["forge_coordinator_cluster_effective_state{cluster=\"us-east-1-prod\",state=\"Priority-based\"}"]);
    }

    /// <summary>The production path: the arbiter publishes through DistributedPubSub and the mediator keeps the
    /// arbiter as sender, so the listener on the same coordinator counts it as local.</summary>
    [Fact]
    public async Task A_state_published_through_the_mediator_by_a_local_actor_counts_as_the_local_arbiters()
    {
        var cluster = Akka.Cluster.Cluster.Get(Sys);
        cluster.Join(cluster.SelfAddress);
        await AwaitConditionAsync(() => Task.FromResult(cluster.SelfMember.Status == Akka.Cluster.MemberStatus.Up), TimeSpan.FromSeconds(20));
        var mediator = DistributedPubSub.Get(Sys).Mediator;
        Sys.ActorOf(MetricsListener.Props(_metrics, mediator));
        var state = State(Node("us-east-1-prod"), Verdict("us-east-1-prod", reason: "Forging"));
        var arbiter = Sys.ActorOf(Props.Create(() => new Republisher(mediator)));
        await AwaitConditionAsync(async () =>
        {
            arbiter.Tell(new PoolStateChanged(state)); // repeated until the subscription is in place
            return (await Scrape(_metrics)).ContainsKey("forge_coordinator_cluster_effective_state{cluster=\"us-east-1-prod\",state=\"Priority-based\"}");
        }, TimeSpan.FromSeconds(20), TimeSpan.FromMilliseconds(200));
    }

    private sealed class Republisher : ReceiveActor
    {
        public Republisher(IActorRef mediator) => Receive<PoolStateChanged>(m => mediator.Tell(new Publish(ArbiterTopics.PoolState, m)));
    }
}
