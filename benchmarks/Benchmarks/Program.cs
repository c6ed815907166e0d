using System.Globalization;
using BenchmarkDotNet.Running;
using Forge.Benchmarks;

// dotnet run -c Release --project benchmarks/Benchmarks -- [BenchmarkDotNet args]   BenchmarkDotNet (DeciderBenchmarks)
// ... -- latency [N]                  p50/p99 of N single decisions after a spec change
// ... -- footprint SECONDS PID...     RSS and CPU of running processes (e.g. the agents in a sandbox's sandbox.json)
if (args.Length > 0 && args[0] == "latency")
{
    LatencyHarness.Run(args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 100_000);
    return 0;
}
if (args.Length > 2 && args[0] == "footprint")
{
    Footprint.Run(args.Skip(2).Select(a => int.Parse(a, CultureInfo.InvariantCulture)).ToList(),
        TimeSpan.FromSeconds(int.Parse(args[1], CultureInfo.InvariantCulture)));
    return 0;
}
BenchmarkSwitcher.FromAssembly(typeof(DeciderBenchmarks).Assembly).Run(args);
return 0;
