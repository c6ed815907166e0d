using Forge.Net;
using System.Collections.Immutable;
using Akka.Actor;
using Akka.Actor.Setup;
using Akka.Cluster;
using Akka.Cluster.Sharding;
using Akka.Cluster.Tools.PublishSubscribe;
using Akka.Cluster.Tools.Singleton;
using Akka.Configuration;
using Akka.Remote;
using Akka.Remote.Transport;
using Forge.Arbiter;
using Forge.Cluster;
using Forge.Decider;
using Forge.Health;
using Forge.Nodes;
using Forge.Specs;
using AkkaCluster = Akka.Cluster.Cluster;

namespace Forge.Coordinator.Tests.MultiNode;

/// <summary>
/// One coordinator as an ActorSystem in the test process: the production pieces (region downing provider from
/// hocon/cluster.conf, region-list guard, spec store, node shard region, ForgeArbiter singleton + proxy) wired by hand
/// as the Akka.Hosting extensions wire them, with a fast failure detector and the throttler transport adapter so a test
/// can blackhole links. The grant port is a <see cref="FakeQuorumPort"/>, or, without a fake quorum, the real grant
/// module (<see cref="RealGrantModule"/>: this region's replica, a proposer, the renewal batcher, the failover watch).
/// </summary>
public sealed class InProcessCoordinator
{
    public const string SystemName = "forge";

    public required ActorSystem System { get; init; }
    public required string Region { get; init; }
    public required int Port { get; init; }
    public IActorRef Nodes { get; private set; } = ActorRefs.Nobody;
    public IActorRef Specs { get; private set; } = ActorRefs.Nobody;
    public IActorRef Arbiter { get; private set; } = ActorRefs.Nobody;
    /// <summary>The renewal batcher agents send GrantRequest/Renew/Released to (real grant module only).</summary>
    public IActorRef Renewals { get; private set; } = ActorRefs.Nobody;

    public AkkaCluster Cluster => AkkaCluster.Get(System);
    public Address Address => Cluster.SelfAddress;
    public bool Terminated => System.WhenTerminated.IsCompleted;

    public static int FreePort() => LoopbackPorts.Next();

    public static string SeedOf(int port, bool tls = false) => $"akka.{(tls ? "trttl.ssl" : "trttl")}.tcp://{SystemName}@127.0.0.1:{port}";

    public static Config BaseConfig(int port, string region, IEnumerable<string> regions, string seed, string extra = "")
    {
        var regionList = string.Join(", ", regions.Select(r => $"\"{r}\""));
        var own = ConfigurationFactory.ParseString($$"""
            forge.cluster {
              regions = [{{regionList}}]
              region = "{{region}}"
              split-brain { stable-after = 1s, down-all-when-unstable = 0s, down-removal-margin = 300ms }
            }
            akka {
              loglevel = WARNING
              stdout-loglevel = WARNING
              actor.provider = cluster
              remote.dot-netty.tcp {
                hostname = 127.0.0.1
                port = {{port}}
                applied-adapters = [trttl]
              }
              cluster {
                seed-nodes = ["{{seed}}"]
                seed-node-timeout = 1s
                retry-unsuccessful-join-after = 500ms
                failure-detector { heartbeat-interval = 200ms, acceptable-heartbeat-pause = 1s, threshold = 8.0, expected-response-after = 200ms }
                unreachable-nodes-reaper-interval = 250ms
                gossip-interval = 200ms
                leader-actions-interval = 200ms
                singleton.hand-over-retry-interval = 200ms
                singleton-proxy.singleton-identification-interval = 200ms
                sharding { retry-interval = 200ms, handoff-timeout = 2s, shard-start-timeout = 2s, updating-state-timeout = 2s, waiting-for-state-timeout = 2s }
              }
              coordinated-shutdown.exit-clr = off
              coordinated-shutdown.run-by-clr-shutdown-hook = off
              coordinated-shutdown.run-by-actor-system-terminate = off
              scheduler.tick-duration = 10ms
            }
            forge.arbiter { decide-interval = 200ms, startup-settle = 2s, revoke-timeout = 1s, view-stale-after = 3s }
            forge.nodes { view-refresh = 500ms, stale-after = 2s }
            """);
        own = ConfigurationFactory.ParseString(extra).WithFallback(own);
        var dir = Path.Combine(AppContext.BaseDirectory, "hocon");
        var all = ForgeConfiguration.DefaultFiles.Aggregate(own,
            (c, f) => c.WithFallback(ConfigurationFactory.ParseString(File.ReadAllText(Path.Combine(dir, f)))));
        // Akka.Hosting adds these when each feature is registered; by hand, every system must know every serializer
        // before the first remote message arrives.
        return all.WithFallback(DistributedPubSub.DefaultConfig())
            .WithFallback(ClusterSingleton.DefaultConfig())
            .WithFallback(ClusterSharding.DefaultConfig())
            .WithFallback(Akka.DistributedData.DistributedData.DefaultConfig());
    }

    /// <param name="quorum">null: the real grant module, with this region's replica in memory.</param>
    public static InProcessCoordinator Start(int port, string region, ImmutableArray<string> regions, string seed, FakeQuorum? quorum,
        string extraConfig = "", Setup? setup = null)
    {
        var config = BaseConfig(port, region, regions, seed, extraConfig);
        var clusterSettings = ForgeClusterSettings.FromConfig(config);
        var roleList = quorum is null ? clusterSettings.Roles.Add(RealGrantModule.ReplicaRole) : clusterSettings.Roles;
        var roles = string.Join(", ", roleList.Select(r => $"\"{r}\""));
        config = ConfigurationFactory.ParseString($"akka.cluster.roles = [{roles}]").WithFallback(config);
        var bootstrap = BootstrapSetup.Create().WithConfig(config);
        var system = setup is null
            ? ActorSystem.Create(SystemName, bootstrap)
            : ActorSystem.Create(SystemName, ActorSystemSetup.Create(bootstrap, setup));
        var node = new InProcessCoordinator { System = system, Region = region, Port = port };
        try
        {
            node.StartActors(config, clusterSettings, quorum);
        }
        catch (InvalidOperationException) when (system.WhenTerminated.IsCompleted || system.WhenTerminated.Wait(TimeSpan.FromSeconds(5)))
        {
            // refused and stopped before its actors were up (the region-list check is that fast)
        }
        return node;
    }

    private void StartActors(Config config, ForgeClusterSettings clusterSettings, FakeQuorum? quorum)
    {
        var nodeSettings = NodeSettings.FromConfig(config);
        var arbiterSettings = ArbiterSettings.FromConfig(config);
        System.ActorOf(RegionListGuard.Props(clusterSettings), "forge-region-list-guard");
        Specs = System.ActorOf(SpecStore.Props(), "forge-specs");
        var proxy = System.ActorOf(ClusterSingletonProxy.Props("/user/forge-arbiter",
            ClusterSingletonProxySettings.Create(System).WithRole(ClusterRoles.Coordinator)), "forge-arbiter-proxy");
        Arbiter = proxy;
        var coordinatorId = $"{Region}/127.0.0.1:{Port}";
        var specs = Specs;
        Nodes = ClusterSharding.Get(System).Start("forge-node",
            entityId => NodeEntity.Props(Forge.Protocol.NodeId.Parse(entityId), nodeSettings, proxy, specs, coordinatorId),
            ClusterShardingSettings.Create(System).WithRole(ClusterRoles.Coordinator).WithRememberEntities(false),
            new NodeMessageExtractor(nodeSettings.NumberOfShards), new HomeRegionAllocation(Forge.Coordinator.Hosting.ForgeNodesHosting.ClusterOfRegion(System)), PoisonPill.Instance);
        IActorRef port;
        if (quorum is null)
        {
            var grants = RealGrantModule.Start(System, config, Region, coordinatorId, Nodes, arbiterSettings);
            (port, Renewals) = (grants.Port, grants.Renewals);
        }
        else port = System.ActorOf(FakeQuorumPort.Props(quorum, Region), "forge-grant-port");
        System.ActorOf(ClusterSingletonManager.Props(
            ForgeArbiter.Props(arbiterSettings, DeciderSettings.FromConfig(config), Nodes, Specs, port,
                DistributedPubSub.Get(System).Mediator, new Health.ScriptedProbe(), HealthSettings.FromConfig(config)),
            PoisonPill.Instance,
            ClusterSingletonManagerSettings.Create(System).WithRole(ClusterRoles.Coordinator)), "forge-arbiter");
    }

    /// <summary>Cut every link between this coordinator and <paramref name="other"/>, both directions, both ends.</summary>
    public async Task BlackholeAsync(InProcessCoordinator other)
    {
        await Transport(System).ManagementCommand(new SetThrottle(other.Address, ThrottleTransportAdapter.Direction.Both, Blackhole.Instance));
        await Transport(other.System).ManagementCommand(new SetThrottle(Address, ThrottleTransportAdapter.Direction.Both, Blackhole.Instance));
    }

    private static RemoteTransport Transport(ActorSystem system) =>
        ((IRemoteActorRefProvider)((ExtendedActorSystem)system).Provider).Transport;

    /// <summary>True if the ForgeArbiter singleton instance runs in this system right now.</summary>
    public async Task<bool> HostsArbiterAsync()
    {
        if (Terminated) return false;
        try
        {
            var id = await System.ActorSelection("/user/forge-arbiter/singleton").Ask<ActorIdentity>(new Identify(1), TimeSpan.FromSeconds(1));
            return id.Subject is not null;
        }
        catch (Exception e) when (e is AskTimeoutException or TaskCanceledException)
        {
            return false;
        }
    }

    public ImmutableArray<string> UpMembers() => Terminated
        ? []
        : [.. Cluster.State.Members.Where(m => m.Status == MemberStatus.Up).Select(m => ClusterRoles.RegionOf(m.Roles) ?? "?").Order()];

    public Task CrashAsync() => System.Terminate(); // no Leave: the others see it vanish
}
