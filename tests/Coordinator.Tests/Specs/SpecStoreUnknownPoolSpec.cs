using Akka.Actor;
using Akka.Cluster;
using Akka.Configuration;
using Akka.TestKit.Xunit2;
using Forge.Decider;
using Forge.Specs;
using Xunit;

namespace Forge.Coordinator.Tests.Specs;

/// <summary>
/// Two coordinators with real DistributedData whose gossip is slowed to an hour, so the reading one has not received the
/// other's spec by gossip (as a coordinator that has just restarted): asked for that pool, the spec store reads a
/// majority before it answers "unknown". Seen in a fault run: an agent whose entity had moved to a restarted
/// coordinator was refused "unknown pool" and its node stopped forging (a 4 s gap).
/// </summary>
public sealed class SpecStoreUnknownPoolSpec : TestKit
{
    private const string Config = """
        akka.actor.provider = cluster
        akka.remote.dot-netty.tcp { hostname = 127.0.0.1, port = 0 }
        akka.loglevel = WARNING
        akka.cluster.distributed-data.gossip-interval = 1h
        """;

    private readonly ActorSystem _other;

    public SpecStoreUnknownPoolSpec() : base(Config) => _other = ActorSystem.Create(Sys.Name, ConfigurationFactory.ParseString(Config));

    protected override void AfterAll()
    {
        _other.Terminate().Wait(TimeSpan.FromSeconds(10));
        base.AfterAll();
    }

    [Fact]
    public async Task A_pool_written_on_another_coordinator_and_not_yet_gossiped_here_is_read_from_a_majority()
    {
        var self = Akka.Cluster.Cluster.Get(Sys);
        var other = Akka.Cluster.Cluster.Get(_other);
        await self.JoinAsync(self.SelfAddress);
        await other.JoinAsync(self.SelfAddress);
        AwaitCondition(() => self.State.Members.Count(m => m.Status == MemberStatus.Up) == 2, TimeSpan.FromSeconds(15));

        var writer = CreateTestProbe();
        _other.ActorOf(SpecStore.Props()).Tell(new PutClusterSpec("pool1", "us-east-1-prod", new ClusterSpec("us-east-1", 1), 1, "projection:us-east-1"), writer);
        writer.ExpectMsg<SpecStored>(s => s.Ok, TimeSpan.FromSeconds(10));

        // Asked again until the deadline: this replicator may count the other node a moment after the membership does
        // (a read before that asks a "majority" of one). Without the majority read the pool stays unknown here for the
        // hour the gossip takes.
        var here = Sys.ActorOf(SpecStore.Props());
        await AwaitAssertAsync(async () =>
        {
            var read = await here.Ask<PoolSpecs>(new GetPoolSpecs("pool1"), TimeSpan.FromSeconds(10));
            Assert.True(read.Known, "the pool was called unknown although the other coordinator has it");
            Assert.True(read.Clusters.ContainsKey("us-east-1-prod"));
        }, TimeSpan.FromSeconds(15), TimeSpan.FromMilliseconds(200));

        // A pool nobody has is unknown after the majority read.
        Assert.False((await here.Ask<PoolSpecs>(new GetPoolSpecs("pool2"), TimeSpan.FromSeconds(10))).Known);
    }
}
