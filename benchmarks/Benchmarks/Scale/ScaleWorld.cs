using System.Diagnostics;
using System.Globalization;
using Akka.Actor;
using Akka.Configuration;
using Forge.Arbiter;
using Forge.Decider;
using Forge.Grants;
using Forge.Health;
using Forge.Kubernetes;
using Forge.Nodes;
using Forge.Specs;

namespace Forge.Benchmarks.Scale;

/// <summary>
/// One coordinator's actors in one ActorSystem with the production settings of hocon/*.conf: a real ForgeArbiter, a
/// real grant quorum (three GrantReplicaActors on pinned threads, each writing and fsyncing a FileReplicaStore under a
/// temp directory; a GrantProposerActor; a RenewalBatcherActor), real NodeEntity and AgentConnection actors (a local
/// region stands in for Sharding), optionally a real CrdProjection, and pools × regions × 2 simulated agents.
/// Not run: DistributedData (<see cref="SimSpecs"/>), DistributedPubSub across processes (<see cref="SimMediator"/>),
/// Akka.Remote and TLS, health probes (health checks are off in the specs).
/// </summary>
public sealed class ScaleWorld : IDisposable
{
    private readonly DirectoryInfo _dataDir;
    private readonly IActorRef _nodes;
    private readonly IActorRef _renewals;
    private readonly IActorRef _arbiterIn;
    private readonly IActorRef _mediator;
    private readonly SimAgent.Timing _agentTiming;
    private readonly Dictionary<string, IActorRef> _replicas = new(StringComparer.Ordinal);
    private readonly List<(string Region, IActorRef Agent)> _agents = [];

    public ScaleWorld(int pools)
    {
        Config = LoadConfig();
        Grants = GrantSettings.FromConfig(Config);
        Arbiter = ArbiterSettings.FromConfig(Config);
        Nodes = NodeSettings.FromConfig(Config);
        _agentTiming = new SimAgent.Timing(StatusInterval: TimeSpan.FromSeconds(1), RenewInterval: Grants.Ttl / 5,
            RequestRetry: TimeSpan.FromMilliseconds(500), RegistrationRetry: TimeSpan.FromSeconds(5)); // hocon/agent.conf defaults
        Shape = new ScaleWorldShape(pools, Grants.Regions, 2);
        _dataDir = Directory.CreateTempSubdirectory("forge-scale-");
        System = ActorSystem.Create("scale", ConfigurationFactory.ParseString("akka.actor.provider = local\nakka.loglevel = WARNING")
            .WithFallback(Config));

        var c = Counters;
        var recorder = Recorder;
        var replicas = _replicas;
        ReplicaDirectory directory = r => new CountingReplicaRef(replicas[r], c);
        foreach (var r in Grants.Regions)
        {
            // a new deployment's replicas: an empty state on disk (no file would mean a lost disk: state transfer)
            var store = new FileReplicaStore(Path.Combine(_dataDir.FullName, r));
            store.Save(ReplicaState.Fresh with { Recovering = false }, TimeSpan.Zero);
            replicas[r] = System.ActorOf(GrantReplicaActor.Props(Grants, r, new CountingReplicaStore(store, c, WriteMs), directory, StopwatchClock.Instance)
                .WithDispatcher("forge-grant-replica-dispatcher"), GrantReplicaActor.Name + "-" + r);
        }
        var proposer = System.ActorOf(GrantProposerActor.Props(Grants, "bench-coordinator", directory), "grant-proposer");
        var port = System.ActorOf(GrantProposerPort.Props(proposer), "forge-grant-port");
        _renewals = System.ActorOf(RenewalBatcherActor.Props(Grants, directory), "grant-renewals");

        IActorRef arbiter = ActorRefs.Nobody;
        _arbiterIn = System.ActorOf(CountingProxy.Props(() => arbiter, m =>
        {
            Interlocked.Increment(ref c.ArbiterIn);
            if (m is PoolSpecs s) recorder.SpecForwarded(s.PoolId); // the change enters the arbiter's mailbox
        }), "arbiter-in");
        Specs = System.ActorOf(SimSpecs.Props(Shape, s => s.Equals(arbiter) ? _arbiterIn : s, c), "specs");
        var grantsOut = System.ActorOf(CountingProxy.Props(() => port, _ => Interlocked.Increment(ref c.ArbiterOut), () => _arbiterIn), "grants-out");
        _mediator = System.ActorOf(SimMediator.Props(() => Interlocked.Increment(ref c.ArbiterOut)), "mediator");
        _nodes = System.ActorOf(LocalNodeRegion.Props(Nodes, _arbiterIn, Specs, c, recorder), "nodes");
        System.EventStream.Subscribe(System.ActorOf(Samples.DecisionListener(DecisionMs), "decision-times"), typeof(ArbiterDecisionMeasured));
        arbiter = System.ActorOf(ForgeArbiter.Props(Arbiter, DeciderSettings.FromConfig(Config), _nodes, Specs, grantsOut, _mediator,
            new NoHealthProbe(), HealthSettings.Default), "forge-arbiter");
    }

    public Config Config { get; }
    public GrantSettings Grants { get; }
    public ArbiterSettings Arbiter { get; }
    public NodeSettings Nodes { get; }
    public ScaleWorldShape Shape { get; }
    public ActorSystem System { get; }
    public IActorRef Specs { get; }
    public ScaleCounters Counters { get; } = new();
    public ScaleRecorder Recorder { get; } = new();
    public Samples DecisionMs { get; } = new();
    public Samples WriteMs { get; } = new();
    public Stopwatch Clock { get; } = Stopwatch.StartNew();

    private static bool ServerGc => global::System.Runtime.GCSettings.IsServerGC;

    public string Describe() =>
        $"{Shape.Pools} pools × {Shape.Regions.Length} regions × {Shape.NodesPerCluster} nodes = {Shape.Agents} agents; grant TTL {Grants.Ttl.TotalSeconds} s, " +
        $"batch {Grants.BatchInterval.TotalMilliseconds} ms, round timeout {Grants.RoundTimeout.TotalSeconds} s, renew every {_agentTiming.RenewInterval.TotalSeconds} s, " +
        $"status every {_agentTiming.StatusInterval.TotalSeconds} s, view refresh {Nodes.ViewRefresh.TotalSeconds} s, decide every {Arbiter.DecideInterval.TotalSeconds} s; " +
        $"replica state under {_dataDir.FullName}; server GC {ServerGc}";

    /// <summary>Starts every pool's agents, <paramref name="poolsPerSecond"/> pools a second (0: all at once).</summary>
    public void StartAgents(double poolsPerSecond)
    {
        long session = 0;
        var started = Stopwatch.StartNew();
        for (var p = 0; p < Shape.Pools; p++)
        {
            if (poolsPerSecond > 0 && TimeSpan.FromSeconds(p / poolsPerSecond) is var due && due > started.Elapsed) Thread.Sleep(due - started.Elapsed);
            for (var r = 0; r < Shape.Regions.Length; r++)
            for (var n = 0; n < Shape.NodesPerCluster; n++)
                _agents.Add((Shape.Regions[r], System.ActorOf(SimAgent.Props(Shape.Pool(p), Shape.Node(p, r, n), Shape.Regions[r], ++session, _agentTiming, _nodes, _renewals,
                    Recorder, Counters, () => 1000 + (long)Clock.Elapsed.TotalSeconds), "agent-" + session.ToString(CultureInfo.InvariantCulture))));
        }
    }

    /// <summary>A whole region dies: its agents (with their links and nodes) and its grant replica stop; returns the pools
    /// whose forger was there. The arbiter and the other regions' replicas stay (the arbiter's host is elsewhere).</summary>
    public IReadOnlyCollection<string> LoseRegion(string region)
    {
        var lost = Recorder.LoseRegion(n => Shape.RegionOf(n) == region);
        foreach (var (r, agent) in _agents)
            if (r == region) System.Stop(agent);
        System.Stop(_replicas[region]);
        return lost;
    }

    /// <summary>Waits until every pool has a forger, printing progress every 10 s.</summary>
    public bool AwaitAllForging(TimeSpan deadline)
    {
        var progress = Clock.Elapsed;
        return Poll.Until(() =>
        {
            if (Clock.Elapsed - progress >= TimeSpan.FromSeconds(10))
            {
                progress = Clock.Elapsed;
                Console.WriteLine($"  {Clock.Elapsed.TotalSeconds:0} s: {Recorder.ForgingPools} pools forge, quorum writes {Counters.ReplicaWrites}, " +
                                  $"grant requests + renewals {Counters.Renewals}, forgers that lost a renewal {Recorder.LostForging}; " +
                                  $"refusals: {Recorder.TopRefusals(3)}");
            }
            return Recorder.ForgingPools == Shape.Pools;
        }, deadline);
    }

    /// <summary>One region's CRD projection (the real actor) over <paramref name="api"/>.</summary>
    public IActorRef StartProjection(IForgeClusterApi api, string region) =>
        System.ActorOf(CrdProjection.Props(api, Specs, _arbiterIn, _mediator, ProjectionSettings.FromConfig(Config), region), "crd-projection-" + region);

    public void Dispose()
    {
        System.Terminate().Wait(TimeSpan.FromSeconds(30));
        for (var attempt = 0; attempt < 3 && Directory.Exists(_dataDir.FullName); attempt++)
        {
            try
            {
                _dataDir.Delete(recursive: true); // a replica thread still saving may recreate it once
            }
            catch (IOException)
            {
                Thread.Sleep(500);
            }
        }
    }

    private static Config LoadConfig()
    {
        var dir = Path.Combine(AppContext.BaseDirectory, "hocon");
        var config = ConfigurationFactory.ParseString("forge.cluster.regions = [\"us-east-1\", \"us-west-2\", \"eu-west-1\"]");
        foreach (var f in new[] { "coordinator.conf", "cluster.conf", "grants.conf", "forge-decider.conf", "projection.conf" })
            config = config.WithFallback(ConfigurationFactory.ParseString(File.ReadAllText(Path.Combine(dir, f))));
        return config;
    }
}

/// <summary>Polling a harness condition with a deadline (a benchmark, not a test).</summary>
public static class Poll
{
    public static bool Until(Func<bool> condition, TimeSpan deadline)
    {
        var sw = Stopwatch.StartNew();
        while (!condition())
        {
            if (sw.Elapsed > deadline) return false;
            Thread.Sleep(100);
        }
        return true;
    }
}
