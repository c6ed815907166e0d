using System.Runtime.InteropServices;

namespace Forge.Benchmarks;

/// <summary>One line naming the machine and its load, printed with every figure (the README quotes it).</summary>
public static class Machine
{
    public static string Describe()
    {
        var model = File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim() ?? "?";
        var memKb = File.ReadLines("/proc/meminfo").First(l => l.StartsWith("MemTotal:", StringComparison.Ordinal))
            .Split(' ', StringSplitOptions.RemoveEmptyEntries)[1];
        var load = File.ReadAllText("/proc/loadavg").Split(' ')[..3];
        return $"machine: {Environment.ProcessorCount} cores ({model}), {long.Parse(memKb, System.Globalization.CultureInfo.InvariantCulture) / 1048576.0:0} GiB, " +
               $"{RuntimeInformation.OSDescription}, .NET {Environment.Version}; load average {string.Join(' ', load)}; {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC";
    }
}
