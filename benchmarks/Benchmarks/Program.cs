using System.Globalization;
using BenchmarkDotNet.Running;
using Forge.Benchmarks;

// dotnet run -c Release --project benchmarks/Benchmarks -- [BenchmarkDotNet args]   BenchmarkDotNet (DeciderBenchmarks)
// ... -- latency [N]                  p50/p99 of N single decisions after a spec change
// ... -- scale [POOLS] [STEADY_S] [CHANGES] [CHANGES_PER_S] [RAMP_POOLS_PER_S]   one real arbiter + grant quorum, simulated agents
// ... -- kubewrites [POOLS] [WINDOW_S] [WARMUP_S]   CRD projection's Kubernetes API writes in steady state (emulator)
// ... -- arbiterthroughput [POOLS] [VIEWS]   node view refreshes/s one ForgeArbiter absorbs at POOLS pools
// ... -- arbiterlatency [POOLS] [CHANGES] [CHANGES_PER_S]   spec change → revoke out of one ForgeArbiter under its view load
// ... -- replicawrite [POOLS] [WRITES]   one grant replica's durable write (whole state + fsync) at POOLS pools
// ... -- failover DIR kill-forger|kill-arbiter-host|kill-forger-region RUNS [SETTLE_S]   unplanned failover, running sandbox
// ... -- footprint SECONDS PID...     RSS and CPU of running processes (e.g. the agents in a sandbox's sandbox.json)
if (args.Length > 0 && args[0] == "latency")
{
    LatencyHarness.Run(args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 100_000);
    return 0;
}
if (args.Length > 0 && args[0] == "kubewrites")
{
    int Arg(int i, int d) => args.Length > i ? int.Parse(args[i], CultureInfo.InvariantCulture) : d;
    return await Forge.Benchmarks.Kube.KubeWritesHarness.Run(Arg(1, 5), TimeSpan.FromSeconds(Arg(2, 360)), TimeSpan.FromSeconds(Arg(3, 30)));
}
if (args.Length > 0 && args[0] == "arbiterthroughput")
{
    int Arg(int i, int d) => args.Length > i ? int.Parse(args[i], CultureInfo.InvariantCulture) : d;
    return Forge.Benchmarks.Scale.ArbiterThroughputHarness.Run(Arg(1, 1000), Arg(2, 6000));
}
if (args.Length > 0 && args[0] == "arbiterlatency")
{
    int Arg(int i, int d) => args.Length > i ? int.Parse(args[i], CultureInfo.InvariantCulture) : d;
    return Forge.Benchmarks.Scale.ArbiterLatencyHarness.Run(Arg(1, 1000), Arg(2, 100),
        args.Length > 3 ? double.Parse(args[3], CultureInfo.InvariantCulture) : 5);
}
if (args.Length > 3 && args[0] == "failover")
{
    return await Forge.Benchmarks.Failover.FailoverHarness.Run(args[1], args[2], int.Parse(args[3], CultureInfo.InvariantCulture),
        TimeSpan.FromSeconds(args.Length > 4 ? int.Parse(args[4], CultureInfo.InvariantCulture) : 20));
}
if (args.Length > 0 && args[0] == "gcconfig")
{
    // which GC settings this process runs with (e.g. under `dotnet exec --runtimeconfig other.json`)
    foreach (var (k, v) in GC.GetConfigurationVariables().OrderBy(kv => kv.Key, StringComparer.Ordinal)) Console.WriteLine($"{k} = {v}");
    return 0;
}
if (args.Length > 0 && args[0] == "replicawrite")
{
    int Arg(int i, int d) => args.Length > i ? int.Parse(args[i], CultureInfo.InvariantCulture) : d;
    return Forge.Benchmarks.ReplicaWriteHarness.Run(Arg(1, 1000), Arg(2, 200));
}
if (args.Length > 2 && args[0] == "footprint")
{
    Footprint.Run(args.Skip(2).Select(a => int.Parse(a, CultureInfo.InvariantCulture)).ToList(),
        TimeSpan.FromSeconds(int.Parse(args[1], CultureInfo.InvariantCulture)));
    return 0;
}
if (args.Length > 0 && args[0] == "scale")
{
    int Arg(int i, int d) => args.Length > i ? int.Parse(args[i], CultureInfo.InvariantCulture) : d;
    return Forge.Benchmarks.Scale.ScaleHarness.Run(new(Pools: Arg(1, 1000), SteadySeconds: Arg(2, 30), Changes: Arg(3, 200),
        ChangesPerSecond: args.Length > 4 ? double.Parse(args[4], CultureInfo.InvariantCulture) : 5,
        RampPoolsPerSecond: args.Length > 5 ? double.Parse(args[5], CultureInfo.InvariantCulture) : 0));
}
BenchmarkSwitcher.FromAssembly(typeof(DeciderBenchmarks).Assembly).Run(args);
return 0;
