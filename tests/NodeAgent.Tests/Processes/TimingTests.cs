using System.Globalization;
using Forge.NodeAgent.Tests.Infrastructure;
using Forge.Protocol;
using Xunit;
using Xunit.Abstractions;

namespace Forge.NodeAgent.Tests.Processes;

/// <summary>
/// Measures, end to end through real processes: the coordinator's Grant → the agent's first status report saying
/// "forging" (grant request, confirmation, fence DEADLINE, install, SIGHUP, log + metric verified), and Revoke →
/// Released (DISABLE, remove, SIGHUP, verified off). Also the agent's RSS. Figures go to the test output and to
/// $TMPDIR/forge-agent-figures.txt.
/// </summary>
[Collection(ProcessCollection.Name)]
public sealed class TimingTests(ITestOutputHelper output) : RigTest
{
    /// <summary>5 in the suite; FORGE_AGENT_TIMING_CYCLES=20 for the figures in a closing note.</summary>
    private static readonly int Cycles =
        int.TryParse(Environment.GetEnvironmentVariable("FORGE_AGENT_TIMING_CYCLES"), out var n) && n > 0 ? n : 5;

    [Fact]
    public async Task Grant_to_verified_forging_and_revoke_to_verified_stop()
    {
        await Registered();
        await Reported(VerifiedForging.Off);
        var enable = new List<double>();
        var disable = new List<double>();
        long rssKb = 0;
        var rssDetail = "";
        var mapped = "";
        for (var i = 0; i < Cycles; i++)
        {
            var reportsBefore = Coordinator.Received.Count;
            var granted = Clocks.MonoNs();
            Coordinator.Grant(Ttl);
            await Rig.WaitAsync(() => Coordinator.Received.Skip(reportsBefore)
                .Any(r => r.Message is NodeStatusReport { Forging: VerifiedForging.On }), Wait, "forging");
            enable.Add((Coordinator.Received.Skip(reportsBefore)
                .First(r => r.Message is NodeStatusReport { Forging: VerifiedForging.On }).Mono - granted) / 1e6);
            var pid = AgentPid;
            if (Rss(pid, "VmRSS") > rssKb)
            {
                rssKb = Rss(pid, "VmRSS");
                var maps = File.ReadAllLines($"/proc/{pid}/maps").Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries))
                    .Where(f => f.Length >= 6).Select(f => Path.GetFileName(f[5])).Where(n => n.EndsWith(".dll", StringComparison.Ordinal))
                    .Distinct().Order();
                mapped = string.Join(" ", maps);
                rssDetail = string.Create(CultureInfo.InvariantCulture,
                    $"anon {Rss(pid, "RssAnon") / 1024.0:F1} MiB, file {Rss(pid, "RssFile") / 1024.0:F1} MiB, " +
                    $"shmem {Rss(pid, "RssShmem") / 1024.0:F1} MiB; PSS {Pss(pid) / 1024.0:F1} MiB");
            }

            var releasedBefore = Coordinator.Received.Count(r => r.Message is Released);
            var revoked = Clocks.MonoNs();
            Coordinator.Revoke();
            await Rig.WaitAsync(() => Coordinator.Received.Count(r => r.Message is Released) > releasedBefore, Wait, "Released");
            disable.Add((Coordinator.Received.Where(r => r.Message is Released).Skip(releasedBefore).First().Mono - revoked) / 1e6);
            await Reported(VerifiedForging.Off);
        }
        var text = string.Create(CultureInfo.InvariantCulture,
            $"""
            forge-agent figures ({Cycles} cycles, exec mode, loopback mutual TLS, fence bounds 500 ms, load {File.ReadAllText("/proc/loadavg").Split(' ')[0]}):
              grant -> verified forging reported: median {Clocks.Median(enable):F0} ms, max {enable.Max():F0} ms  [{string.Join(", ", enable.Select(v => v.ToString("F0", CultureInfo.InvariantCulture)))}]
              revoke -> Released (verified off):   median {Clocks.Median(disable):F0} ms, max {disable.Max():F0} ms  [{string.Join(", ", disable.Select(v => v.ToString("F0", CultureInfo.InvariantCulture)))}]
              agent VmRSS while forging (max over cycles): {rssKb / 1024.0:F1} MiB ({rssDetail})
            """);
        output.WriteLine(text);
        await File.WriteAllTextAsync(Path.Combine(Path.GetTempPath(), "forge-agent-assemblies.txt"), mapped + "\n");
        await File.WriteAllTextAsync(Path.Combine(Path.GetTempPath(), "forge-agent-figures.txt"), text + "\n");
        // the stand-in appends its forge log on its own slot clock: give the last "off" line a moment
        await Rig.WaitAsync(() => Rig.ForgeLogLines.Events("off").Count() >= Cycles, Wait, "every off transition logged");
        Assert.Equal(Rig.ForgeLogLines.Events("off").Count(), Rig.ForgeLogLines.Events("on").Count());
    }

    /// <summary>Proportional set size: file pages shared with the fence (also .NET) counted by share.</summary>
    private static long Pss(int pid) =>
        File.ReadAllLines($"/proc/{pid}/smaps_rollup").Where(l => l.StartsWith("Pss:", StringComparison.Ordinal))
            .Select(l => long.Parse(l.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture))
            .FirstOrDefault();

    private static long Rss(int pid, string field) =>
        File.ReadAllLines($"/proc/{pid}/status").Where(l => l.StartsWith(field + ":", StringComparison.Ordinal))
            .Select(l => long.Parse(l.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture))
            .FirstOrDefault();
}
