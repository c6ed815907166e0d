using Akka.Actor;
using Akka.Cluster.Tools.PublishSubscribe;
using Forge.Arbiter;
using Forge.Decider;
using Forge.Protocol;
using Forge.Shell.Palettes.Agent;
using Forge.Shell.Palettes.Forge;
using Forge.Shell.Tests.Fakes;
using Xunit;
using static Forge.Shell.Tests.Fakes.ArbiterStates;

namespace Forge.Shell.Tests.Palettes;

/// <summary>
/// The Akka-backed queries (<see cref="ArbiterForgeQueries"/>) through the host and client, with actors that speak the
/// ForgeArbiter's and SpecStore's real protocols (the real arbiter: tests/Coordinator.Tests/Arbiter/ShellFailoverSpec).
/// The handover's last step (the new node verified forging) is not published, as if the publication were lost
/// (DistributedPubSub delivers at most once), so the failover also proves the periodic re-read.
/// </summary>
public sealed class ArbiterForgeQueriesSpec : IAsyncLifetime
{
    private static readonly TermId T1 = new(1, "coordinator-0");
    private static readonly TermId T2 = new(2, "coordinator-0");
    private TestCluster _cluster = null!;
    private ShellUnderTest _shell = null!;

    public async Task InitializeAsync()
    {
        _cluster = await TestCluster.StartAsync("us-east-1");
        var system = _cluster.Systems[0];
        var mediator = DistributedPubSub.Get(system).Mediator;
        var specs = system.ActorOf(Props.Create(() => new FakeSpecStore(ArbiterStates.PoolSpecsOf(null))));
        var initial = State(East, East, T1, "idle", East, "Priority-based",
            [new PoolTransition(DateTimeOffset.UtcNow.AddMinutes(-5), "granted", null, East, T1, "no forger")]);
        var arbiter = system.ActorOf(Props.Create(() => new FakeArbiter(initial, mediator)));
        var queries = new ArbiterForgeQueries(system, arbiter, specs, TimeSpan.FromMilliseconds(200));
        _shell = ShellUnderTest.Start([ForgePalette.Create(queries, new ScriptedHandover(specs, arbiter)), AgentPalette.Create(queries)]);
    }

    public async Task DisposeAsync()
    {
        await _shell.DisposeAsync();
        await _cluster.DisposeAsync();
    }

    [Fact]
    public async Task Failover_waits_for_the_verified_forger_and_the_history_shows_it()
    {
        var before = await _shell.Run("forge", "clusters");
        Assert.Matches(@"^us-east-1-prod\s+Priority-based\s+1\s+us-east-1\s+cardano-bp-0\s+true\s+24h$", before.Lines[1]);

        var r = await _shell.Run("forge", "failover", "--to", "us-west-2-prod", "--reason", "maintenance");
        Assert.True(r.Code == 0, r.ToString());
        Assert.Matches(@"^us-west-2-prod/cardano-bp-0 is forging \(term 2@coordinator-0\); handed over from us-east-1-prod/cardano-bp-0 in \d+\.\ds$", r.Lines[^1]);

        var history = await _shell.Run("forge", "history");
        Assert.Matches(@"^\S+Z\s+pool1\s+us-east-1-prod/cardano-bp-0\s+us-west-2-prod/cardano-bp-0\s+2@coordinator-0\s+granted: spec change$", history.Lines[1]);
        Assert.Equal(4, history.Lines.Length);

        var status = await _shell.Run("forge", "status");
        Assert.Matches(@"^pool1\s+us-west-2-prod\s+cardano-bp-0\s+2@coordinator-0\s+\d+s\s+spec change$", status.Lines[1]);
        var clusters = await _shell.Run("forge", "clusters");
        Assert.Matches(@"^us-west-2-prod\s+Enabled\s+2\s+us-west-2\s+cardano-bp-0\s+true\s+24h$", clusters.Lines[2]);
    }

    [Fact]
    public async Task Grants_and_agents_from_the_arbiters_state()
    {
        var grants = await _shell.Run("forge", "grants");
        Assert.Matches(@"^pool1\s+1@coordinator-0\s+us-east-1-prod/cardano-bp-0\s+idle\s+\?\s+\?\s+\?\s+\?$", grants.Lines[1]);
        Assert.Equal("pool1: the grant quorum is not readable from this shell host (TTL, live, time left and regions unknown)", grants.Lines[2]);
        var agents = await _shell.Run("agent", "list");
        Assert.Matches(@"^us-east-1-prod/cardano-bp-0\s+pool1\s+yes\s+yes\s+1000\s+forging\s+1@coordinator-0\s+57$", agents.Lines[1]);
        Assert.Matches(@"^us-west-2-prod/cardano-bp-0\s+pool1\s+yes\s+yes\s+1000\s+not forging\s+57$", agents.Lines[2]);
        var show = await _shell.Run("agent", "show", "us-west-2-prod/cardano-bp-0");
        Assert.Contains(show.Lines, l => l.StartsWith("Last SIGHUP:      verified at 2026-11-27T09:15:00Z (", StringComparison.Ordinal));
        Assert.Contains("KES periods left: 57", show.Lines);
    }

    /// <summary>What the projection and the arbiter would do after the patch: the spec changes, the arbiter decides
    /// (published), then the grant moves and the new node verifies forging (not published).</summary>
    private sealed class ScriptedHandover(IActorRef specs, IActorRef arbiter) : IForgeSpecWriter
    {
        public Task PatchAsync(ForgeSpecPatch patch, CancellationToken ct)
        {
            var west = patch.ApplyTo(new ClusterSpec("us-west-2", 2));
            specs.Tell(ArbiterStates.PoolSpecsOf(west));
            var t0 = new PoolTransition(DateTimeOffset.UtcNow.AddMinutes(-5), "granted", null, East, T1, "no forger");
            var t1 = new PoolTransition(DateTimeOffset.UtcNow, "target", East, West, T1, "spec change");
            arbiter.Tell(new FakeArbiter.SetState(State(West, East, T1, "revoking", East, ForgeStates.EnabledText, [t0, t1]), Publish: true));
            var t2 = new PoolTransition(DateTimeOffset.UtcNow, "granted", East, West, T2, "spec change");
            arbiter.Tell(new FakeArbiter.SetState(State(West, West, T2, "idle", West, ForgeStates.EnabledText, [t0, t1, t2]), Publish: false));
            return Task.CompletedTask;
        }
    }
}
