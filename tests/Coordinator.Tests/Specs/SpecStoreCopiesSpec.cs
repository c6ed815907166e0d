using Akka.Actor;
using Akka.TestKit.Xunit2;
using Forge.Decider;
using Forge.Specs;
using Xunit;

namespace Forge.Coordinator.Tests.Specs;

/// <summary>The spec store on a one-coordinator cluster (real DistributedData): the copy notes of the projections reach
/// its subscribers and readers with the specs of their pool.</summary>
public sealed class SpecStoreCopiesSpec() : TestKit("""
    akka.actor.provider = cluster
    akka.remote.dot-netty.tcp { hostname = 127.0.0.1, port = 0 }
    akka.loglevel = WARNING
    """)
{
    [Fact]
    public async Task A_copy_note_reaches_subscribers_and_readers_with_the_specs_and_a_later_note_replaces_it()
    {
        var cluster = Akka.Cluster.Cluster.Get(Sys);
        await cluster.JoinAsync(cluster.SelfAddress);
        var store = Sys.ActorOf(SpecStore.Props());
        var writer = CreateTestProbe();
        store.Tell(SubscribeSpecs.Instance, TestActor);
        store.Tell(new PutClusterSpec("pool1", "us-east-1-prod", new ClusterSpec("us-east-1", 1), 1, "projection:us-east-1"), writer);
        writer.ExpectMsg<SpecStored>(s => s.Ok);
        var firstSeen = FishForMessage<PoolSpecs>(p => p.Clusters.ContainsKey("us-east-1-prod"), TimeSpan.FromSeconds(10))
            .Clusters["us-east-1-prod"].FirstSeen;

        store.Tell(new NoteCopy("pool1", new CopySeen("us-west-2", "us-east-1-prod", "uid-1", firstSeen)));
        var noted = FishForMessage<PoolSpecs>(p => p.CopyIn("us-west-2", "us-east-1-prod") is not null, TimeSpan.FromSeconds(10));
        Assert.True(noted.CopyIn("us-west-2", "us-east-1-prod")!.Of(noted.Clusters["us-east-1-prod"]));
        Assert.Null(noted.CopyIn("us-east-1", "us-east-1-prod"));

        store.Tell(new NoteCopy("pool1", new CopySeen("us-west-2", "us-east-1-prod", "uid-2", firstSeen)));
        FishForMessage<PoolSpecs>(p => p.CopyIn("us-west-2", "us-east-1-prod")?.Uid == "uid-2", TimeSpan.FromSeconds(10));
        var read = await store.Ask<PoolSpecs>(new GetPoolSpecs("pool1"), TimeSpan.FromSeconds(5));
        Assert.Equal("uid-2", read.CopyIn("us-west-2", "us-east-1-prod")?.Uid);

        // a copy note is of one store entry: once the cluster is deleted (and created again) it no longer vouches for it
        store.Tell(new RemoveClusterSpec("pool1", "us-east-1-prod", "projection:us-east-1"), writer);
        writer.ExpectMsg<SpecStored>(s => s.Ok);
        var deleted = FishForMessage<PoolSpecs>(p => p.Clusters["us-east-1-prod"].Deleted, TimeSpan.FromSeconds(10));
        Assert.False(deleted.CopyIn("us-west-2", "us-east-1-prod")!.Of(deleted.Clusters["us-east-1-prod"]));
    }

    [Fact]
    public void A_fill_only_put_stands_where_nothing_was_written_and_never_replaces_a_write()
    {
        var cluster = Akka.Cluster.Cluster.Get(Sys);
        cluster.Join(cluster.SelfAddress);
        var store = Sys.ActorOf(SpecStore.Props());
        var writer = CreateTestProbe();
        store.Tell(SubscribeSpecs.Instance, TestActor);
        // an operator's edit (a real write) first, then a joining region's first sight of its old copy: the edit stays
        store.Tell(new PutClusterSpec("pool1", "east", new ClusterSpec("us-east-1", 1, "Disabled"), 2, "projection:us-east-1"), writer);
        writer.ExpectMsg<SpecStored>(s => s.Ok);
        store.Tell(new PutClusterSpec("pool1", "east", new ClusterSpec("us-east-1", 1), 1, "projection:us-west-2", OnlyIfAbsent: true), writer);
        writer.ExpectMsg<SpecStored>(s => s.Ok);
        // a fill of a cluster nobody wrote stands
        store.Tell(new PutClusterSpec("pool1", "west", new ClusterSpec("us-west-2", 2), 1, "projection:us-west-2", OnlyIfAbsent: true), writer);
        writer.ExpectMsg<SpecStored>(s => s.Ok);
        var specs = FishForMessage<PoolSpecs>(p => p.Clusters.ContainsKey("west"), TimeSpan.FromSeconds(10));
        Assert.Equal(("Disabled", "projection:us-east-1"), (specs.Clusters["east"].Spec!.ForgeState, specs.Clusters["east"].Source));
        // and a later real write replaces a fill
        store.Tell(new PutClusterSpec("pool1", "west", new ClusterSpec("us-west-2", 5), 2, "projection:eu-west-1"), writer);
        writer.ExpectMsg<SpecStored>(s => s.Ok);
        FishForMessage<PoolSpecs>(p => p.Clusters["west"].Spec!.Priority == 5, TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task A_write_is_confirmed_after_a_view_that_includes_it_so_no_later_view_is_older()
    {
        // The projections trust every view received after a confirmation to include their write; a view published for a
        // copy note right after it once came from before the write, and a deleted cluster was created again from it.
        var cluster = Akka.Cluster.Cluster.Get(Sys);
        await cluster.JoinAsync(cluster.SelfAddress);
        var store = Sys.ActorOf(SpecStore.Props());
        store.Tell(SubscribeSpecs.Instance, TestActor);
        store.Tell(new PutClusterSpec("pool1", "east", new ClusterSpec("us-east-1", 1), 1, "projection:us-east-1"), TestActor);
        Assert.True(LastViewBeforeConfirmation().Clusters["east"] is { Deleted: false });
        store.Tell(new RemoveClusterSpec("pool1", "east", "projection:us-east-1"), TestActor);
        Assert.True(LastViewBeforeConfirmation().Clusters["east"].Deleted);

        store.Tell(new NoteCopy("pool1", new CopySeen("us-west-2", "east", "uid-1", DateTimeOffset.UtcNow)));
        var noted = FishForMessage<PoolSpecs>(p => p.CopyIn("us-west-2", "east") is not null, TimeSpan.FromSeconds(10));
        Assert.True(noted.Clusters["east"].Deleted);
    }

    /// <summary>Receives the subscriber's views up to the store's confirmation of a write; returns the last one.</summary>
    private PoolSpecs LastViewBeforeConfirmation()
    {
        PoolSpecs? last = null;
        while (true)
        {
            switch (ReceiveOne(TimeSpan.FromSeconds(10)))
            {
                case PoolSpecs p:
                    last = p;
                    break;
                case SpecStored s:
                    Assert.True(s.Ok, s.Error);
                    return last ?? throw new Xunit.Sdk.XunitException("confirmed before any view was published");
                case null:
                    throw new TimeoutException("no confirmation within 10 s");
            }
        }
    }
}
