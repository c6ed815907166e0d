using Akka.Actor;
using Akka.Configuration;
using Forge.Arbiter;
using Forge.Decider;
using Forge.Health;
using Forge.Nodes;
using Forge.Protocol;

namespace Forge.Benchmarks.Scale;

/// <summary>One ForgeArbiter with the production settings of hocon/*.conf and nothing real around it: the spec store
/// is <see cref="SimSpecs"/>, grants and publications go to sinks, and the node views of POOLS pools × 3 regions ×
/// 2 nodes are made here (every pool's holder is its first node in the first region, term 1, seen in its view, so
/// nothing is proposed in steady state). For the arbiter-only harnesses.</summary>
public sealed class ArbiterAlone : IDisposable
{
    /// <param name="nodes">Props of the actor that gets what the arbiter sends to nodes (revokes, grants, cluster info).</param>
    public ArbiterAlone(int pools, Props nodes)
    {
        Shape = new ScaleWorldShape(pools, ["us-east-1", "us-west-2", "eu-west-1"], 2);
        var config = ConfigurationFactory.ParseString("forge.cluster.regions = [\"us-east-1\", \"us-west-2\", \"eu-west-1\"]");
        foreach (var f in new[] { "coordinator.conf", "forge-decider.conf" })
            config = config.WithFallback(ConfigurationFactory.ParseString(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "hocon", f))));
        Settings = ArbiterSettings.FromConfig(config);
        NodeSettings = NodeSettings.FromConfig(config);
        System = ActorSystem.Create("arbiter-alone", "akka.loglevel = WARNING");
        Specs = System.ActorOf(SimSpecs.Props(Shape, s => s, new ScaleCounters()), "specs");
        Arbiter = System.ActorOf(ForgeArbiter.Props(Settings, DeciderSettings.FromConfig(config), System.ActorOf(nodes, "nodes"), Specs,
            System.ActorOf(Sink.Props()), System.ActorOf(Sink.Props()), new NoHealthProbe(), HealthSettings.Default), "forge-arbiter");
        for (var p = 0; p < pools; p++)
        for (var r = 0; r < Shape.Regions.Length; r++)
        for (var n = 0; n < Shape.NodesPerCluster; n++)
        {
            var holder = r == 0 && n == 0;
            Views.Add(new NodeViewChanged(new NodeView(Shape.Pool(p), Shape.Node(p, r, n), Shape.Regions[r], Guid.NewGuid(), true, true, true,
                5000, 5001, holder ? VerifiedForging.On : VerifiedForging.Off, SignalOutcome.Verified, 60,
                holder ? new TermId(1, "bench") : TermId.None, new CredentialFingerprint("opcert-" + Shape.Pool(p), 1, 100, 60), null,
                "bench", DateTimeOffset.UtcNow)));
        }
    }

    public ScaleWorldShape Shape { get; }
    public ArbiterSettings Settings { get; }
    public NodeSettings NodeSettings { get; }
    public ActorSystem System { get; }
    public IActorRef Specs { get; }
    public IActorRef Arbiter { get; }
    /// <summary>One view per node, in pool order.</summary>
    public List<NodeViewChanged> Views { get; } = [];

    /// <summary>Every node's view, then past the startup settle: every pool is decided (its holder kept).</summary>
    public void Settle()
    {
        foreach (var v in Views) Arbiter.Tell(v);
        Thread.Sleep(Settings.StartupSettle + TimeSpan.FromSeconds(1));
        RoundTrip();
    }

    /// <summary>A GetPoolState round trip: the mailbox is FIFO, so its answer means everything sent before was handled.</summary>
    public void RoundTrip() => Arbiter.Ask<PoolState>(new GetPoolState("none"), TimeSpan.FromMinutes(5)).GetAwaiter().GetResult();

    public void Dispose() => System.Terminate().Wait(TimeSpan.FromSeconds(30));
}
