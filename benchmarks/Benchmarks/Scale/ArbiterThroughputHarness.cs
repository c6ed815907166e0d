using System.Diagnostics;
using Akka.Actor;
using Akka.Configuration;
using Forge.Arbiter;
using Forge.Decider;
using Forge.Health;
using Forge.Nodes;
using Forge.Protocol;

namespace Forge.Benchmarks.Scale;

/// <summary>
/// `arbiterthroughput` verb: how many node view refreshes per second the ForgeArbiter (one actor, the production
/// settings) absorbs at POOLS pools × 3 regions × 2 nodes in steady state (every pool's holder known from its view, so
/// nothing is proposed). Every NodeViewChanged is decided at once; the node entities send one per node per
/// view-refresh, so the arbiter must absorb nodes / view-refresh per second (3,000/s at 1,000 pools) plus its own
/// sweep of every pool each decide-interval. Measured: a burst of N refreshes, then a GetPoolState round trip
/// (the mailbox is FIFO, so its answer means every refresh was processed).
/// </summary>
public static class ArbiterThroughputHarness
{
    public static int Run(int pools, int views)
    {
        Console.WriteLine(Machine.Describe());
        var shape = new ScaleWorldShape(pools, ["us-east-1", "us-west-2", "eu-west-1"], 2);
        var config = ConfigurationFactory.ParseString("forge.cluster.regions = [\"us-east-1\", \"us-west-2\", \"eu-west-1\"]");
        foreach (var f in new[] { "coordinator.conf", "forge-decider.conf" })
            config = config.WithFallback(ConfigurationFactory.ParseString(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "hocon", f))));
        var settings = ArbiterSettings.FromConfig(config);
        using var system = ActorSystem.Create("throughput", "akka.loglevel = WARNING");
        var specs = system.ActorOf(SimSpecs.Props(shape, s => s, new ScaleCounters()), "specs");
        var arbiter = system.ActorOf(ForgeArbiter.Props(settings, DeciderSettings.FromConfig(config), system.ActorOf(Sink.Props()), specs,
            system.ActorOf(Sink.Props()), system.ActorOf(Sink.Props()), new ThrowingProbe(), HealthSettings.Default), "forge-arbiter");

        var all = new List<NodeViewChanged>();
        for (var p = 0; p < pools; p++)
        for (var r = 0; r < shape.Regions.Length; r++)
        for (var n = 0; n < shape.NodesPerCluster; n++)
        {
            var holder = r == 0 && n == 0;
            all.Add(new NodeViewChanged(new NodeView(shape.Pool(p), shape.Node(p, r, n), shape.Regions[r], Guid.NewGuid(), true, true, true,
                5000, 5001, holder ? VerifiedForging.On : VerifiedForging.Off, SignalOutcome.Verified, 60,
                holder ? new TermId(1, "bench") : TermId.None, new CredentialFingerprint("opcert-" + shape.Pool(p), 1, 100, 60), null,
                "bench", DateTimeOffset.UtcNow)));
        }
        foreach (var v in all) arbiter.Tell(v);
        Thread.Sleep(settings.StartupSettle + TimeSpan.FromSeconds(1)); // past the settle: every view is now decided
        RoundTrip(arbiter);

        var ms = new List<double>();
        for (var round = 0; round < 5; round++)
        {
            var sw = Stopwatch.StartNew();
            for (var i = 0; i < views; i++) arbiter.Tell(all[(round * views + i) % all.Count]);
            RoundTrip(arbiter);
            ms.Add(sw.Elapsed.TotalMilliseconds);
        }
        var best = ms.Min();
        var nodeSettings = NodeSettings.FromConfig(ConfigurationFactory.ParseString(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "hocon", "coordinator.conf")))
            .WithFallback(config));
        var needed = all.Count / nodeSettings.ViewRefresh.TotalSeconds;
        Console.WriteLine($"arbiter at {pools} pools ({all.Count} nodes): {views} view refreshes in {string.Join(", ", ms.Select(m => $"{m:0} ms"))} " +
                          $"→ best {views / best * 1000:0} views/s ({best * 1000 / views:0.0} µs each); the node entities send {needed:0}/s " +
                          $"({all.Count} nodes / view-refresh {nodeSettings.ViewRefresh.TotalSeconds} s), plus the sweep of {pools} pools every " +
                          $"{settings.DecideInterval.TotalSeconds} s");
        return 0;
    }

    private static void RoundTrip(IActorRef arbiter) =>
        arbiter.Ask<PoolState>(new GetPoolState("none"), TimeSpan.FromMinutes(5)).GetAwaiter().GetResult();

    private sealed class ThrowingProbe : IHealthProbe
    {
        public Task<ProbeResult> ProbeAsync(Uri endpoint, System.Collections.Immutable.ImmutableDictionary<string, string> headers, TimeSpan timeout,
            CancellationToken ct) => throw new NotSupportedException("health checks are off");
    }
}
