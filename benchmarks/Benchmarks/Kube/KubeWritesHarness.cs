using System.Diagnostics;
using Akka.Actor;
using Forge.Benchmarks.Scale;
using Forge.KubeApiEmulator;
using Forge.Kubernetes;
using k8s;

namespace Forge.Benchmarks.Kube;

/// <summary>
/// `kubewrites` verb: Kubernetes API writes of the CRD projection in steady state. A <see cref="ScaleWorld"/> with a
/// few pools forges (real arbiter, quorum, node entities, simulated agents); the real <see cref="CrdProjection"/> of
/// one region runs over the real KubernetesClient against the Kubernetes API emulator (in process). After the
/// projection has created every CardanoForgeCluster and written its status, and a warm-up, every write the emulator
/// records over the window is counted, per object and per kind; consecutive status writes of one object are diffed to
/// name the fields that changed. Goal: at most one write per cluster per five minutes.
/// </summary>
public static class KubeWritesHarness
{
    public static async Task<int> Run(int pools, TimeSpan window, TimeSpan warmup)
    {
        using var world = new ScaleWorld(pools);
        Console.WriteLine("scale world: " + world.Describe());
        Console.WriteLine(Machine.Describe());
        world.StartAgents(0);
        if (!world.AwaitAllForging(TimeSpan.FromMinutes(3)))
        {
            Console.WriteLine("FAILED: not every pool forges");
            return 1;
        }

        await using var emulator = new KubeApiEmulatorServer(new EmulatorOptions
        {
            CrdPaths = [Path.Combine(AppContext.BaseDirectory, "crd", "cardanoforgeclusters.cardano.io.yaml")],
        });
        await emulator.StartAsync();
        var settings = ProjectionSettings.FromConfig(world.Config);
        var client = new k8s.Kubernetes(new KubernetesClientConfiguration { Host = emulator.BaseUrl.ToString() });
        var api = new RecordingForgeClusterApi(new KubernetesForgeClusterApi(client, settings.Namespace, settings.RequestTimeout, settings.ServiceAccount));
        const string region = "us-east-1";
        var projection = world.StartProjection(api, region);
        var objects = pools * world.Shape.Regions.Length;
        var ready = Poll.Until(() =>
        {
            var (items, _) = api.ListAsync(CancellationToken.None).GetAwaiter().GetResult();
            return items.Count == objects && items.All(i => i.Status?["activeLeader"] is not null);
        }, TimeSpan.FromMinutes(2));
        Console.WriteLine($"projection of {region}: {objects} CardanoForgeClusters created and with status: {ready}; warm-up {warmup.TotalSeconds:0} s");
        if (!ready) return 1;
        Thread.Sleep(warmup); // the projection's start-up writes settle

        emulator.ClearRequests();
        var statusBefore = api.StatusWrites().Count;
        var requests = new List<KubeApiEmulator.RecordedRequest>();
        var sw = Stopwatch.StartNew();
        while (sw.Elapsed < window)
        {
            Thread.Sleep(TimeSpan.FromSeconds(10)); // drain the emulator's bounded request log
            requests.AddRange(emulator.Requests);
            emulator.ClearRequests();
            var writesSoFar = requests.Count(r => r.IsWrite);
            Console.WriteLine($"  {sw.Elapsed.TotalSeconds:0} s: {writesSoFar} writes ({writesSoFar / sw.Elapsed.TotalMinutes:0.0}/min)");
        }
        var minutes = sw.Elapsed.TotalMinutes;
        var writes = requests.Where(r => r.IsWrite).ToList();
        Console.WriteLine($"steady state {minutes:0.0} min, {objects} CardanoForgeClusters in {region}'s API: {writes.Count} writes = " +
                          $"{writes.Count / minutes:0.0}/min = {writes.Count / minutes * 5 / objects:0.00} per cluster per 5 min (goal ≤ 1); " +
                          $"reads {requests.Count - writes.Count} ({(requests.Count - writes.Count) / minutes:0.0}/min)");
        foreach (var g in writes.GroupBy(r => $"{r.Method} {Kind(r.Path)}").OrderByDescending(g => g.Count()))
            Console.WriteLine($"  {g.Key}: {g.Count()} ({g.Count() / minutes:0.0}/min)");
        var perObject = writes.Where(r => r.Path.Contains("/cardanoforgeclusters/", StringComparison.Ordinal))
            .GroupBy(r => r.Path.Split("/cardanoforgeclusters/")[1].Split('/')[0]).Select(g => g.Count()).Order().ToList();
        if (perObject.Count > 0)
            Console.WriteLine($"  per object: min {perObject[0]}, median {perObject[perObject.Count / 2]}, max {perObject[^1]} writes in {minutes:0.0} min");

        // why: the fields that changed between consecutive status writes of one object
        var status = api.StatusWrites();
        var changed = status.GroupBy(w => w.Name)
            .SelectMany(g => g.Zip(g.Skip(1), (a, b) => (a, b)).Where(p => p.b.At >= status[Math.Min(statusBefore, status.Count - 1)].At))
            .SelectMany(p => RecordingForgeClusterApi.ChangedPaths(p.a.Status, p.b.Status).Distinct())
            .GroupBy(p => p).OrderByDescending(g => g.Count()).ToList();
        Console.WriteLine($"  fields changed between consecutive status writes in the window ({status.Count - statusBefore} status writes):");
        foreach (var g in changed.Take(12)) Console.WriteLine($"    {g.Key}: {g.Count()}");
        await projection.GracefulStop(TimeSpan.FromSeconds(10)); // before the emulator goes away
        return 0;
    }

    private static string Kind(string path) =>
        path.Contains("/events", StringComparison.Ordinal) ? "events"
        : path.EndsWith("/status", StringComparison.Ordinal) ? "cardanoforgeclusters/status"
        : path.Contains("/cardanoforgeclusters", StringComparison.Ordinal) ? "cardanoforgeclusters"
        : path;
}
