using System.Collections.Immutable;
using System.Diagnostics;
using Akka.Actor;
using Akka.Cluster.Tools.Singleton;
using Akka.Configuration;
using Forge.Cluster;
using Forge.Coordinator.Tests.MultiNode;
using Xunit;
using Xunit.Abstractions;
using static Forge.Coordinator.Tests.Fixtures;

namespace Forge.Coordinator.Tests.Cluster;

/// <summary>
/// The singleton watchdog on real ActorSystems in this process. First the wedge the fault-injection runs found, reproduced
/// below the sandbox: a coordinator that is the oldest (here: a fresh cluster of one, as a restarted first seed forms)
/// receives a <c>HandOverToMe</c> from a system that is not in its cluster (as the other side's request to the removed
/// incarnation at the same host:port arrives); its ClusterSingletonManager hands the singleton over to nobody and stays
/// in End. Then that the watchdog restarts it, and that it does not fire in a normal failover.
/// </summary>
[Collection("multi-node")]
public sealed class LivenessWatchdogSpec(ITestOutputHelper output) : IAsyncLifetime
{
    private const string ArbiterName = "forge-arbiter";
    private const string ShardsName = "forge-nodeCoordinator";
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(45);

    /// <summary>The paths as <see cref="InProcessCoordinator"/> starts them (the arbiter's instance is named "singleton" there).</summary>
    private static readonly ImmutableArray<WatchedSingleton> Watched =
    [
        new(ArbiterName, "/user/forge-arbiter/singleton", ClusterRoles.Coordinator),
        new(ShardsName, "/system/sharding/forge-nodeCoordinator/singleton/coordinator", ClusterRoles.Coordinator),
    ];

    private readonly List<ActorSystem> _systems = [];
    private readonly Stopwatch _clock = Stopwatch.StartNew();

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var s in _systems) await s.Terminate().WaitAsync(TimeSpan.FromSeconds(10)).ContinueWith(_ => { });
    }

    private void Log(string text) => output.WriteLine($"[{_clock.Elapsed.TotalSeconds,6:0.00}s] {text}");

    private InProcessCoordinator Start(int port, string region, string seed)
    {
        var node = InProcessCoordinator.Start(port, region, Regions, seed, new FakeQuorum(Regions));
        _systems.Add(node.System);
        return node;
    }

    private static IActorRef StartWatchdog(InProcessCoordinator node, TimeSpan missingAfter, TimeSpan? minorityAfter = null) =>
        node.System.ActorOf(LivenessWatchdog.Props(
                new LivenessWatchdogSettings(true, TimeSpan.FromMilliseconds(200), missingAfter, minorityAfter ?? TimeSpan.FromSeconds(60)),
                Watched, Regions),
            "forge-liveness-watchdog");

    private static async Task<LivenessWatchdogStatus> StatusAsync(IActorRef watchdog) =>
        await watchdog.Ask<LivenessWatchdogStatus>(GetLivenessWatchdogStatus.Instance, TimeSpan.FromSeconds(3));

    private static async Task AwaitAsync(Func<Task<bool>> condition, string what)
    {
        var until = Stopwatch.StartNew();
        while (!await condition())
        {
            if (until.Elapsed > Deadline) throw new TimeoutException($"not within {Deadline.TotalSeconds}s: {what}");
            await Task.Delay(100);
        }
    }

    /// <summary>Akka's own (internal) hand-over request, as the other side's BecomingOldest manager sends it.</summary>
    private static object HandOverToMe() =>
        typeof(ClusterSingletonManager).Assembly.GetType("Akka.Cluster.Tools.Singleton.HandOverToMe", throwOnError: true)!
            .GetField("Instance")?.GetValue(null)
        ?? typeof(ClusterSingletonManager).Assembly.GetType("Akka.Cluster.Tools.Singleton.HandOverToMe")!.GetProperty("Instance")!.GetValue(null)!;

    [Fact]
    public async Task A_stale_hand_over_leaves_the_oldest_without_its_singleton_and_the_watchdog_restarts_it()
    {
        var port = InProcessCoordinator.FreePort();
        var seed = InProcessCoordinator.SeedOf(port);
        var east = Start(port, "us-east-1", seed);
        var watchdog = StartWatchdog(east, TimeSpan.FromSeconds(2));
        await AwaitAsync(async () => (await StatusAsync(watchdog)).Reason.StartsWith("every singleton", StringComparison.Ordinal),
            "the cluster of one hosts the arbiter and the sharding coordinator");
        Log($"cluster of one up, singletons running: {(await StatusAsync(watchdog)).Reason}");

        // A system outside the cluster (the other side of the healed partition) asks the oldest to hand over.
        var stale = ActorSystem.Create("forge", ConfigurationFactory.ParseString("""
            akka.actor.provider = remote
            akka.remote.dot-netty.tcp { hostname = 127.0.0.1, port = 0, applied-adapters = [trttl] }
            akka.loglevel = WARNING
            """).WithFallback(ClusterSingleton.DefaultConfig()));
        _systems.Add(stale);
        stale.ActorSelection($"{seed}/user/forge-arbiter").Tell(HandOverToMe(), ActorRefs.NoSender);

        await AwaitAsync(async () => !await east.HostsArbiterAsync(), "the oldest stops its arbiter on a stale HandOverToMe");
        Log("the arbiter instance is gone on the oldest member of a converged cluster of one");
        await AwaitAsync(async () => (await StatusAsync(watchdog)) is { Kind: WatchdogVerdictKind.Waiting } s && s.Missing.Contains(ArbiterName),
            "the watchdog sees the arbiter missing");

        // Nothing else changes in the cluster: the manager (state End) never starts it again; the watchdog restarts the node.
        await east.System.WhenTerminated.WaitAsync(Deadline);
        var reason = CoordinatedShutdown.Get(east.System).ShutdownReason;
        Log($"terminated by coordinated shutdown: {reason}");
        var missing = Assert.IsType<LivenessWatchdogReason>(reason);
        Assert.Equal(LivenessRule.SingletonsMissing, missing.Rule);
        Assert.Equal(75, missing.ExitCode);
        Assert.Contains(ArbiterName, missing.Detail, StringComparison.Ordinal);
        Assert.DoesNotContain(ShardsName, missing.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_cluster_of_one_region_of_three_that_stays_so_restarts_to_join_the_seeds_again()
    {
        // The island a restarted first seed forms while its region is cut off: converged, every singleton running.
        var port = InProcessCoordinator.FreePort();
        var east = Start(port, "us-east-1", InProcessCoordinator.SeedOf(port));
        StartWatchdog(east, TimeSpan.FromSeconds(20), minorityAfter: TimeSpan.FromSeconds(2));
        await east.System.WhenTerminated.WaitAsync(Deadline);
        var reason = Assert.IsType<LivenessWatchdogReason>(CoordinatedShutdown.Get(east.System).ShutdownReason);
        Log($"terminated: {reason}");
        Assert.Equal(LivenessRule.MinorityCluster, reason.Rule);
        Assert.Equal(76, reason.ExitCode);
        Assert.Contains("1 of 3 configured regions [us-east-1]", reason.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task It_does_not_fire_while_the_singletons_start_or_move_after_the_oldest_crashed()
    {
        var ports = new[] { InProcessCoordinator.FreePort(), InProcessCoordinator.FreePort(), InProcessCoordinator.FreePort() };
        var seed = InProcessCoordinator.SeedOf(ports[0]);
        var east = Start(ports[0], "us-east-1", seed);
        // A bound well below production's 20 s, still above a failover's converged-but-not-yet-started moment.
        var bound = TimeSpan.FromSeconds(3);
        var watchdogs = new List<IActorRef> { StartWatchdog(east, bound) };
        await AwaitAsync(() => Task.FromResult(east.UpMembers().Length == 1), "east up");
        var west = Start(ports[1], "us-west-2", seed);
        watchdogs.Add(StartWatchdog(west, bound));
        await AwaitAsync(() => Task.FromResult(east.UpMembers().Length == 2), "west up");
        var eu = Start(ports[2], "eu-west-1", seed);
        watchdogs.Add(StartWatchdog(eu, bound));
        await AwaitAsync(() => Task.FromResult(west.UpMembers().Length == 3 && eu.UpMembers().Length == 3), "three up");
        await AwaitAsync(east.HostsArbiterAsync, "the arbiter on east, the oldest");
        Log("formed; east hosts the singletons");

        await east.CrashAsync();
        Log("east crashed");
        await AwaitAsync(async () => await west.HostsArbiterAsync() || await eu.HostsArbiterAsync(), "the arbiter moves to a survivor");
        var host = await west.HostsArbiterAsync() ? west : eu;
        var hostWatchdog = watchdogs[host == west ? 1 : 2];
        await AwaitAsync(async () => (await StatusAsync(hostWatchdog)).Reason.StartsWith("every singleton", StringComparison.Ordinal),
            "the new oldest runs both singletons");
        Log($"{host.Region} hosts the singletons");

        // Past the bound after the move: neither survivor asked for a restart.
        var settle = Stopwatch.StartNew();
        while (settle.Elapsed < bound + bound)
        {
            foreach (var (node, w) in new[] { (west, watchdogs[1]), (eu, watchdogs[2]) })
            {
                Assert.False(node.Terminated, $"{node.Region} terminated");
                var s = await StatusAsync(w);
                Assert.False(s.Fired, $"{node.Region}: {s.Reason}");
            }
            await Task.Delay(200);
        }
    }
}
