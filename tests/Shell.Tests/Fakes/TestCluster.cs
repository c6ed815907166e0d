using System.Threading.Channels;
using Akka.Actor;
using Akka.Cluster;
using Akka.Configuration;
using Forge.Shell.Palettes.Cluster;

namespace Forge.Shell.Tests.Fakes;

/// <summary>A few clustered ActorSystems in this process on loopback (the multi-node test kit is not served here):
/// fast failure detection, no automatic downing (the tests down members through the shell).</summary>
internal sealed class TestCluster : IAsyncDisposable
{
    private TestCluster(IReadOnlyList<ActorSystem> systems) => Systems = systems;

    public IReadOnlyList<ActorSystem> Systems { get; }

    public static Address AddressOf(ActorSystem s) => Akka.Cluster.Cluster.Get(s).SelfAddress;

    public static Config NodeConfig(string region) => ConfigurationFactory.ParseString($$"""
        akka.loglevel = WARNING
        akka.stdout-loglevel = WARNING
        akka.actor.provider = cluster
        akka.remote.dot-netty.tcp.hostname = 127.0.0.1
        akka.remote.dot-netty.tcp.port = 0
        akka.cluster.roles = [coordinator, "region:{{region}}"]
        akka.cluster.seed-node-timeout = 1s
        akka.cluster.failure-detector.heartbeat-interval = 200ms
        akka.cluster.failure-detector.acceptable-heartbeat-pause = 1s
        akka.cluster.downing-provider-class = ""
        akka.cluster.run-coordinated-shutdown-when-down = on
        # a Terminate() without leaving acts as a crash (tests of unreachable members)
        akka.coordinated-shutdown.run-by-actor-system-terminate = off
        akka.coordinated-shutdown.run-by-clr-shutdown-hook = off
        """);

    /// <summary>Starts <paramref name="regions"/>.Length systems and returns once the first sees all of them Up.</summary>
    public static async Task<TestCluster> StartAsync(params string[] regions)
    {
        var systems = regions.Select(r => ActorSystem.Create("forge", NodeConfig(r))).ToList();
        var seed = AddressOf(systems[0]);
        foreach (var s in systems) Akka.Cluster.Cluster.Get(s).Join(seed);
        var cluster = new TestCluster(systems);
        await cluster.AwaitEventsAsync(systems[0], systems.Select(AddressOf).ToHashSet(), e => e is ClusterEvent.MemberUp);
        return cluster;
    }

    /// <summary>Waits (event-driven, 30 s at most) until <paramref name="observer"/> has seen a matching event for every address.</summary>
    public async Task AwaitEventsAsync(ActorSystem observer, IReadOnlySet<Address> addresses, Func<ClusterEvent.IMemberEvent, bool> match) =>
        await AwaitAsync(observer, addresses, e => e is ClusterEvent.IMemberEvent m && match(m) ? m.Member.Address : null);

    public async Task AwaitUnreachableAsync(ActorSystem observer, Address address) =>
        await AwaitAsync(observer, new HashSet<Address> { address }, e => e is ClusterEvent.UnreachableMember u ? u.Member.Address : null);

    private static async Task AwaitAsync(ActorSystem observer, IReadOnlySet<Address> addresses, Func<ClusterEvent.IClusterDomainEvent, Address?> pick)
    {
        var channel = Channel.CreateUnbounded<ClusterEvent.IClusterDomainEvent>();
        var relay = observer.ActorOf(ClusterEventRelay.Props(channel.Writer));
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var seen = new HashSet<Address>();
        try
        {
            await foreach (var e in channel.Reader.ReadAllAsync(timeout.Token))
                if (pick(e) is { } a && addresses.Contains(a) && seen.Add(a) && seen.Count == addresses.Count) return;
        }
        finally
        {
            observer.Stop(relay);
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var s in Systems) await s.Terminate();
    }
}
