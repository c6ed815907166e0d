using System.Collections.Immutable;
using Akka.Actor;
using Akka.TestKit.Xunit2;
using Forge.Arbiter;
using Forge.Grants;
using Forge.Protocol;
using Forge.Shell.Palettes.Forge;
using Forge.Shell.Tests.Fakes;
using Xunit;
using static Forge.Shell.Tests.Fakes.ArbiterStates;

namespace Forge.Shell.Tests.Palettes;

/// <summary>
/// <c>forge grants</c> through the host and client, reading the grant module's real replicas
/// (<see cref="GrantReplicaActor"/> on in-memory stores and one manual clock) next to an actor that speaks the
/// arbiter's protocol. One region's replica is missing (its region is down), so the quorum is two of three.
/// </summary>
public sealed class GrantsSpec : TestKit
{
    private static readonly ImmutableArray<string> Regions = ["eu-west-1", "us-east-1", "us-west-2"];
    private static readonly GrantSettings Settings = new(Regions, TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(15),
        TimeSpan.FromMilliseconds(500), 100_000, TimeSpan.FromMilliseconds(20), TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(1), "/unused");
    private static readonly TermId T3 = new(3, "coordinator-0");
    private static readonly Guid Incarnation = Guid.NewGuid();

    private sealed class ManualClock : IMonotonicClock
    {
        public TimeSpan Now { get; set; } = TimeSpan.FromSeconds(100);
    }

    private readonly ManualClock _clock = new();
    private readonly Dictionary<string, IActorRef> _replicas = [];

    public GrantsSpec()
    {
        ReplicaDirectory directory = Directory;
        foreach (var region in Regions.Take(2))
        {
            var store = new MemoryReplicaStore();
            store.Save(ReplicaState.Fresh with { Recovering = false }, TimeSpan.Zero);
            _replicas[region] = Sys.ActorOf(GrantReplicaActor.Props(Settings, region, store, directory, _clock), "replica-" + region);
        }
    }

    private ICanTell Directory(string region) => _replicas.TryGetValue(region, out var r) ? r : ActorRefs.Nobody;

    private ShellUnderTest Shell(PoolState state)
    {
        var arbiter = Sys.ActorOf(Props.Create(() => new FakeArbiter(state, TestActor)));
        var specs = Sys.ActorOf(Props.Create(() => new FakeSpecStore(PoolSpecsOf(null))));
        var quorum = new GrantQuorum(Regions, Directory, TimeSpan.FromMilliseconds(300));
        return ShellUnderTest.Start([ForgePalette.Create(new ArbiterForgeQueries(Sys, arbiter, specs, TimeSpan.FromSeconds(1), quorum), null)]);
    }

    private void Grant(string region, TermId term)
    {
        _replicas[region].Tell(new ReplicaAcceptGrant(Pool, term, East, Incarnation, Settings.Ttl, null, 1));
        Assert.True(ExpectMsg<ReplicaGrantAnswer>().Accepted);
    }

    private void Renew(string region, TermId term)
    {
        _replicas[region].Tell(new ReplicaRenewalBatch(1, [new ReplicaRenewalEntry(Pool, term, East, Incarnation, null)]));
        Assert.True(ExpectMsg<ReplicaRenewalBatchAnswer>().Verdicts[0].Accepted);
    }

    [Fact]
    public async Task Grants_show_term_holder_ttl_live_time_left_and_the_regions_holding_it()
    {
        Grant("eu-west-1", T3);
        Grant("us-east-1", T3);
        Renew("eu-west-1", T3);
        _clock.Now += TimeSpan.FromSeconds(1);
        Renew("us-east-1", T3);
        _clock.Now += TimeSpan.FromSeconds(0.5);

        await using var shell = Shell(State(East, East, T3, "idle", East, "Priority-based", []));
        var r = await shell.Run("forge", "grants");
        Assert.True(r.Code == 0, r.ToString());
        // Left: the second-freshest renewal of two holding replicas (a majority of three regions) is 1.5 s old.
        Assert.Matches(@"^POOL\s+TERM\s+HOLDER\s+PHASE\s+TTL\s+LIVE\s+LEFT\s+REGIONS$", r.Lines[0]);
        Assert.Matches(@"^pool1\s+3@coordinator-0\s+us-east-1-prod/cardano-bp-0\s+idle\s+5\.0s\s+yes\s+3\.5s\s+eu-west-1,us-east-1 \(2/3\)$", r.Lines[1]);
        Assert.Equal(
        [
            "pool1 eu-west-1: term 3@coordinator-0 us-east-1-prod/cardano-bp-0 (TTL 5.0s), live, renewed 1.5s ago, 3.5s left",
            "pool1 us-east-1: term 3@coordinator-0 us-east-1-prod/cardano-bp-0 (TTL 5.0s), live, renewed 0.5s ago, 4.5s left",
            "pool1 us-west-2: not reachable: its replica's address is not known",
        ], r.Lines[2..]);
    }

    [Fact]
    public async Task A_term_on_a_minority_is_not_live_and_a_stale_renewal_runs_out()
    {
        Grant("eu-west-1", T3);
        Grant("us-east-1", T3);
        Renew("eu-west-1", T3); // only one region renewed: no majority accepted a renewal
        _clock.Now += TimeSpan.FromSeconds(7);

        await using var shell = Shell(State(East, East, T3, "idle", East, "Priority-based", []));
        var r = await shell.Run("forge", "grants");
        Assert.True(r.Code == 0, r.ToString());
        Assert.Matches(@"^pool1\s+3@coordinator-0\s+us-east-1-prod/cardano-bp-0\s+idle\s+5\.0s\s+no\s+-\s+eu-west-1,us-east-1 \(2/3\)$", r.Lines[1]);
        Assert.Equal("pool1 eu-west-1: term 3@coordinator-0 us-east-1-prod/cardano-bp-0 (TTL 5.0s), live, renewed 7.0s ago, 0.0s left", r.Lines[2]);
        Assert.Equal("pool1 us-east-1: term 3@coordinator-0 us-east-1-prod/cardano-bp-0 (TTL 5.0s), not live (never renewed here)", r.Lines[3]);
    }

    [Fact]
    public async Task A_replica_that_does_not_answer_is_shown_as_such_and_the_others_still_show()
    {
        Grant("eu-west-1", T3);
        Grant("us-east-1", T3);
        Renew("eu-west-1", T3);
        Renew("us-east-1", T3);
        _replicas["us-west-2"] = CreateTestProbe().Ref; // its region cut off: the query is delivered, no answer comes

        await using var shell = Shell(State(East, East, T3, "idle", East, "Priority-based", []));
        var r = await shell.Run("forge", "grants");
        Assert.True(r.Code == 0, r.ToString());
        Assert.Matches(@"^pool1\s+3@coordinator-0\s+us-east-1-prod/cardano-bp-0\s+idle\s+5\.0s\s+yes\s+5\.0s\s+eu-west-1,us-east-1 \(2/3\)$", r.Lines[1]);
        Assert.Equal("pool1 us-west-2: no answer within 0.3s", r.Lines[4]);
    }

    [Fact]
    public async Task A_term_the_arbiter_does_not_know_is_shown_from_the_replicas()
    {
        Grant("us-east-1", T3);
        await using var shell = Shell(PoolState.Empty(Pool) with { Phase = "idle" });
        var r = await shell.Run("forge", "grants");
        Assert.True(r.Code == 0, r.ToString());
        Assert.Matches(@"^pool1\s+3@coordinator-0\s+us-east-1-prod/cardano-bp-0\s+idle\s+5\.0s\s+no\s+-\s+us-east-1 \(1/3\)$", r.Lines[1]);
        Assert.Equal("pool1 eu-west-1: holds no term", r.Lines[2]);
    }
}
