using System.Diagnostics;
using System.Globalization;
using Forge.Native;

namespace Forge.Sandbox.Tests;

/// <summary>
/// The environment <c>sandbox --faketime</c> gives coordinators and agents, on real processes: the wall clock follows the
/// offset file, and an idle .NET process under it stays idle (libfaketime's own monotonic fix made .NET's timed waits
/// spin: every such process burnt about a quarter of a core and a full fault-injection profile ran at load 40-57).
/// </summary>
public sealed class FaketimeTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("forge-faketime-").FullName;

    [Fact]
    public void The_wall_clock_follows_the_offset_file()
    {
        var file = Path.Combine(_dir, "offset");
        var env = Faketime.Environment(Faketime.Library(), file);
        File.WriteAllText(file, "+3600\n");

        var faked = long.Parse(Run("date", ["+%s"], env), CultureInfo.InvariantCulture);

        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        Assert.InRange(faked - now, 3590, 3610);
    }

    [Fact]
    public async Task An_idle_dotnet_process_under_it_does_not_spin()
    {
        var emulator = Path.Combine(AppContext.BaseDirectory, "kube-api-emulator.dll");
        using var process = Start("dotnet", [emulator], Faketime.Environment(Faketime.Library(), Path.Combine(_dir, "emulator-offset")));
        try
        {
            var first = await process.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(60));
            Assert.StartsWith("listening ", first);

            // a fixed measuring window, not a wait for a condition: the CPU an idle process spends in it
            var before = CpuSeconds(process.Id);
            var window = Stopwatch.StartNew();
            await Task.Delay(TimeSpan.FromSeconds(3));
            var spent = CpuSeconds(process.Id) - before;

            // idle it spends ~0.01 s; the spinning timed waits cost 0.6-0.8 s of this window
            Assert.True(spent < 0.3, $"the emulator under libfaketime spent {spent:0.00} s of CPU idling for {window.Elapsed.TotalSeconds:0.0} s");
        }
        finally
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }
    }

    /// <summary>User + system CPU of <paramref name="pid"/> (proc(5) fields 14 and 15, in clock ticks of 1/100 s).</summary>
    private static double CpuSeconds(int pid)
    {
        var stat = ProcStat.Read(pid) ?? throw new InvalidOperationException($"pid {pid} is gone");
        return (stat.Number(14) + stat.Number(15)) / 100.0;
    }

    private static Process Start(string file, string[] args, Dictionary<string, string> env)
    {
        var info = new ProcessStartInfo(file) { RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var a in args) info.ArgumentList.Add(a);
        foreach (var (k, v) in env) info.Environment[k] = v;
        return Process.Start(info)!;
    }

    private static string Run(string file, string[] args, Dictionary<string, string> env)
    {
        using var p = Start(file, args, env);
        var output = p.StandardOutput.ReadToEnd().Trim();
        p.WaitForExit();
        Assert.Equal(0, p.ExitCode);
        return output;
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);
}
