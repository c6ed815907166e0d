using Akka.Actor;
using Akka.TestKit.Xunit2;
using Forge.Arbiter;
using Forge.Grants;
using Forge.Protocol;
using Xunit;

namespace Forge.Coordinator.Tests.Arbiter;

/// <summary>The failover watch's own wiring: what it asks the arbiter for before it can ever propose.</summary>
public sealed class FailoverWatchSpec() : TestKit("""
    akka.actor.provider = cluster
    akka.remote.dot-netty.tcp { hostname = 127.0.0.1, port = 0 }
    akka.loglevel = WARNING
    """)
{
    private sealed class Forwarder : ReceiveActor
    {
        public Forwarder(IActorRef to) => ReceiveAny(m => to.Forward(m));
    }

    [Fact]
    public void A_watch_that_started_after_the_last_publication_asks_the_arbiter_for_every_pool()
    {
        // Publications come only on change: a coordinator restarted after a partition used to know no pool, so its watch
        // stayed idle when the arbiter was cut off next. It now asks the arbiter (its singleton proxy) until it knows some.
        var arbiter = CreateTestProbe();
        Sys.ActorOf(Props.Create(() => new Forwarder(arbiter.Ref)), "forge-arbiter-proxy");
        var settings = new ArbiterSettings(TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(3), TimeSpan.FromSeconds(5), TimeSpan.Zero,
            TimeSpan.FromSeconds(6), TimeSpan.FromSeconds(5), 10);
        var grants = new GrantSettings(["a", "b", "c"], TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(30), TimeSpan.FromMilliseconds(500),
            100_000, TimeSpan.FromMilliseconds(20), TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(1), "/x");
        Sys.ActorOf(FailoverWatch.Props(CreateTestProbe().Ref, CreateTestProbe().Ref, CreateTestProbe().Ref, settings, grants));

        arbiter.ExpectMsg<ListPools>(TimeSpan.FromSeconds(5));
        arbiter.Reply(new PoolList([new PoolSummary("pool1", null, null, TermId.None, "forging")]));
        Assert.Equal("pool1", arbiter.FishForMessage<GetPoolState>(_ => true, TimeSpan.FromSeconds(5)).PoolId);
    }
}
