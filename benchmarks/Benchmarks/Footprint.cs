using System.Globalization;

namespace Forge.Benchmarks;

/// <summary>RSS (VmRSS) and CPU (utime+stime over a window) of running processes, from /proc.</summary>
public static class Footprint
{
    public static void Run(IReadOnlyList<int> pids, TimeSpan window)
    {
        var before = pids.ToDictionary(p => p, CpuTicks);
        Thread.Sleep(window); // the sampling window itself
        foreach (var pid in pids)
        {
            var cpu = (CpuTicks(pid) - before[pid]) / 100.0 / window.TotalSeconds * 100; // USER_HZ = 100
            Console.WriteLine($"pid {pid} {Comm(pid)}: RSS {RssKb(pid) / 1024.0:0.0} MiB, CPU {cpu:0.00} % of one core over {window.TotalSeconds:0} s");
        }
    }

    private static long CpuTicks(int pid)
    {
        var stat = File.ReadAllText($"/proc/{pid}/stat");
        var f = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        return long.Parse(f[11], CultureInfo.InvariantCulture) + long.Parse(f[12], CultureInfo.InvariantCulture);
    }

    private static long RssKb(int pid) =>
        long.Parse(File.ReadLines($"/proc/{pid}/status").First(l => l.StartsWith("VmRSS:", StringComparison.Ordinal))
            .Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture);

    private static string Comm(int pid) => File.ReadAllText($"/proc/{pid}/comm").Trim();
}
