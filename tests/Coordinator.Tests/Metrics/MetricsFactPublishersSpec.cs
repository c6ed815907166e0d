using System.Collections.Immutable;
using Akka.Actor;
using Forge.Arbiter;
using Forge.Coordinator.Tests.Health;
using Forge.Decider;
using Forge.Grants;
using Forge.Health;
using Forge.Kubernetes;
using Forge.Protocol;
using Forge.Specs;
using Xunit;

namespace Forge.Coordinator.Tests.Metrics;

/// <summary>The facts the coordinator series are made of, published on the local EventStream where they happen: the
/// health prober, the CRD projection and the grant quorum probe.</summary>
public sealed class MetricsFactPublishersSpec : MetricsFixtures
{
    [Fact]
    public void Each_health_probe_is_published_with_its_outcome_and_duration()
    {
        Watch<HealthProbeCompleted>();
        var probe = new ScriptedProbe();
        var parent = CreateTestProbe();
        var spec = new HealthCheckSpec(true, "http://node.example/health", "100ms", "250ms", 3, ImmutableDictionary<string, string>.Empty);
        Sys.ActorOf(HealthProber.Props("pool1", "us-east-1-prod", spec,
            probe, new HealthSettings(TimeSpan.FromMilliseconds(200), TimeSpan.FromSeconds(1), 3, TimeSpan.FromMilliseconds(50)), parent.Ref));

        probe.Next().Answer.SetResult(new ProbeResult(true, "HTTP 200"));
        var ok = ExpectMsg<HealthProbeCompleted>();
        Assert.Equal(("pool1", "us-east-1-prod", true), (ok.PoolId, ok.Cluster, ok.Healthy));
        Assert.NotNull(ok.Duration);
        Assert.True(ok.Duration >= TimeSpan.Zero);
        probe.Next().Answer.SetResult(new ProbeResult(false, "HTTP 503"));
        Assert.False(ExpectMsg<HealthProbeCompleted>().Healthy);
        parent.ExpectMsg<HealthReport>(); // the arbiter's report is unchanged
    }

    [Fact]
    public void A_health_endpoint_that_is_no_url_is_a_failure_without_a_duration()
    {
        Watch<HealthProbeCompleted>();
        var spec = new HealthCheckSpec(true, "not a url", "100ms", "250ms", 3, ImmutableDictionary<string, string>.Empty);
        Sys.ActorOf(HealthProber.Props("pool1", "c1", spec, new ScriptedProbe(), HealthSettings.Default, CreateTestProbe().Ref));
        var failed = ExpectMsg<HealthProbeCompleted>();
        Assert.False(failed.Healthy);
        Assert.Null(failed.Duration);
    }

    private static readonly ProjectionSettings Projection = new("cardano", "default", "sa", TimeSpan.FromSeconds(2),
        TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(5), TimeSpan.FromMilliseconds(50), TimeSpan.FromMilliseconds(200));

    [Fact]
    public void The_projection_publishes_first_sight_each_confirmed_status_and_a_deletion()
    {
        Watch<CrdClusterTracked>();
        Watch<CrdStatusSynced>();
        Watch<CrdClusterUntracked>();
        var api = new MemoryClusterApi();
        api.Add("us-east-1-prod", "us-east-1", 1);
        var before = DateTimeOffset.UtcNow;
        var projection = Sys.ActorOf(CrdProjection.Props(api, CreateTestProbe().Ref, CreateTestProbe().Ref, null, Projection, "us-east-1"));
        var tracked = ExpectMsg<CrdClusterTracked>(TimeSpan.FromSeconds(15)); // the projection's first list: slow under load
        Assert.Equal(("us-east-1", "us-east-1-prod"), (tracked.Region, tracked.Cluster));
        Assert.True(tracked.Since >= before);

        var node = new NodeId("us-east-1-prod", "cardano-bp-0");
        projection.Tell(new PoolStateChanged(State(node, Verdict("us-east-1-prod", reason: "Forging", leader: node)) with { PoolId = "pool1" }));
        var first = ExpectMsg<CrdStatusSynced>(TimeSpan.FromSeconds(15));
        Assert.Equal(("us-east-1", "us-east-1-prod"), (first.Region, first.Cluster));
        var writes = api.StatusWrites.Count; // confirmed by the write of the arbiter's state
        Assert.Equal("Priority-based", api.StatusWrites.Last().Status["effectiveState"]!.GetValue<string>());
        var again = ExpectMsg<CrdStatusSynced>(TimeSpan.FromSeconds(15)); // the next resync finds nothing to write and says so
        Assert.True(again.At >= first.At);
        Assert.Equal(writes, api.StatusWrites.Count);

        api.Watch.Writer.TryWrite(new ForgeClusterChange(ForgeClusterChangeType.Deleted, ForgeClusterObject.FromJson(api.Objects["us-east-1-prod"])));
        FishForMessage<CrdClusterUntracked>(u => u.Cluster == "us-east-1-prod", TimeSpan.FromSeconds(5));
    }

    [Fact]
    public void A_projection_that_stops_here_untracks_its_clusters_so_no_frozen_sync_series_stays_behind()
    {
        Watch<CrdClusterTracked>();
        Watch<CrdClusterUntracked>();
        var api = new MemoryClusterApi();
        api.Add("us-east-1-prod", "us-east-1", 1);
        api.Add("us-west-2-prod", "us-west-2", 2);
        var projection = Sys.ActorOf(CrdProjection.Props(api, CreateTestProbe().Ref, CreateTestProbe().Ref, null, Projection, "us-east-1"));
        var tracked = new[] { ExpectMsg<CrdClusterTracked>(TimeSpan.FromSeconds(15)), ExpectMsg<CrdClusterTracked>(TimeSpan.FromSeconds(15)) };
        Assert.Equal(["us-east-1-prod", "us-west-2-prod"], tracked.Select(t => t.Cluster).Order(StringComparer.Ordinal));

        Sys.Stop(projection); // the region's singleton moves to another coordinator
        var untracked = new[] { ExpectMsg<CrdClusterUntracked>(TimeSpan.FromSeconds(5)), ExpectMsg<CrdClusterUntracked>(TimeSpan.FromSeconds(5)) };
        Assert.Equal(["us-east-1-prod", "us-west-2-prod"], untracked.Select(u => u.Cluster).Order(StringComparer.Ordinal));
        Assert.All(untracked, u => Assert.Equal("us-east-1", u.Region));
    }

    [Fact]
    public void A_status_written_without_word_from_the_arbiter_confirms_nothing()
    {
        Watch<CrdStatusSynced>();
        var api = new MemoryClusterApi();
        api.Add("us-east-1-prod", "us-east-1", 1);
        Sys.ActorOf(CrdProjection.Props(api, CreateTestProbe().Ref, CreateTestProbe().Ref, null, Projection, "us-east-1"));
        AwaitCondition(() => api.StatusWrites.Any(w => w.Status["effectiveState"]?.GetValue<string>() == "Unknown"), TimeSpan.FromSeconds(10));
        ExpectNoMsg(TimeSpan.FromMilliseconds(500)); // covers the write's acknowledgement and several resyncs
    }

    [Fact]
    public void The_quorum_probe_counts_voting_replicas_of_configured_regions_per_round()
    {
        Watch<GrantQuorumReachability>();
        var regions = ImmutableArray.Create("eu-west-1", "us-east-1", "us-west-2");
        var replicas = regions.ToDictionary(r => r, _ => CreateTestProbe());
        var settings = new GrantSettings(regions, TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(30), TimeSpan.FromMilliseconds(500), 100_000,
            TimeSpan.FromMilliseconds(20), TimeSpan.FromMilliseconds(300), TimeSpan.FromSeconds(1), "/nonexistent");
        Sys.ActorOf(GrantQuorumProbe.Props(settings, r => replicas[r].Ref, TimeSpan.FromMilliseconds(50)));

        // round 1: one voting replica, one recovering (answers but cannot vote), one silent, one stale answer
        var q = replicas.ToDictionary(kv => kv.Key, kv => kv.Value.ExpectMsg<ReplicaStatusQuery>());
        replicas["us-east-1"].Reply(new ReplicaStatus(q["us-east-1"].PoolId, "us-east-1", null, false, q["us-east-1"].CorrelationId));
        replicas["us-west-2"].Reply(new ReplicaStatus(q["us-west-2"].PoolId, "us-west-2", null, true, q["us-west-2"].CorrelationId));
        replicas["eu-west-1"].Reply(new ReplicaStatus("", "eu-west-1", null, false, q["eu-west-1"].CorrelationId - 1));
        var r1 = ExpectMsg<GrantQuorumReachability>();
        Assert.Equal(["us-east-1"], r1.Answered.ToArray());
        Assert.False(r1.Reachable);

        // round 2: a majority votes
        q = replicas.ToDictionary(kv => kv.Key, kv => kv.Value.ExpectMsg<ReplicaStatusQuery>());
        foreach (var region in new[] { "eu-west-1", "us-west-2" })
            replicas[region].Reply(new ReplicaStatus("", region, null, false, q[region].CorrelationId));
        var r2 = ExpectMsg<GrantQuorumReachability>();
        Assert.Equal(["eu-west-1", "us-west-2"], r2.Answered.ToArray());
        Assert.True(r2.Reachable);
        Assert.Equal((3, 2), (r2.Configured, r2.Majority));
    }
}
