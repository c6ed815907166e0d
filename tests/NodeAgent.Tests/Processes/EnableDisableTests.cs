using Forge.NodeAgent.Tests.Infrastructure;
using Forge.Protocol;
using Xunit;
using Xunit.Abstractions;

namespace Forge.NodeAgent.Tests.Processes;

[Collection(ProcessCollection.Name)]
public sealed class EnableDisableTests(ITestOutputHelper output) : RigTest
{
    [Fact]
    public async Task Start_path_then_enable_and_disable_are_verified_before_they_are_reported()
    {
        await Registered();
        var registration = Coordinator.Registration!;
        Assert.Equal(3, registration.Credentials.OpcertCounter);
        Assert.Equal(64, registration.Credentials.OpcertHash.Length);
        await Reported(VerifiedForging.Off);
        // start path: the node runs non-producing, its key directory empty once it is up
        await Rig.WaitAsync(() => Rig.FenceStatus().GetValueOrDefault("phase") == "up", Wait, "the node kernel up");
        Assert.Empty(Directory.EnumerateFiles(Rig.KeyDir));
        Assert.Empty(Rig.ForgeLogLines);
        await Rig.WaitMetricsAsync("cardano_cluster_forge_enabled{cluster=\"c1\",region=\"r1\",priority=\"1\"} 0", Wait);
        Assert.Equal(200, (await Rig.HttpAsync("/healthz")).Status);
        var (startup, body) = await Rig.HttpAsync("/startup-status");
        Assert.Equal(200, startup);
        Assert.Contains("\"started\":true", body, StringComparison.Ordinal);

        var grantedAt = DateTimeOffset.UtcNow;
        Coordinator.Grant(Ttl);
        await Reported(VerifiedForging.On);
        var on = Rig.ForgeLogLines.Events("on").Single();
        var report = Coordinator.ArrivalOf<NodeStatusReport>(s => s.Forging == VerifiedForging.On)!.Value;
        Assert.True(on.Mono < report, "forging was reported only after the node logged it on");
        Assert.Equal("on", Rig.FenceStatus().GetValueOrDefault("state"));
        var metrics = await Rig.HttpGetAsync("/metrics");
        Assert.Contains("cardano_cluster_forge_enabled{cluster=\"c1\",region=\"r1\",priority=\"1\"} 1", metrics);
        Assert.Contains("cardano_forging_enabled 1", metrics);
        Assert.Contains("cardano_leader_status 1", metrics);

        // renewals keep it on well past one TTL
        await Task.Delay(Ttl + TimeSpan.FromSeconds(1));
        Assert.Equal(VerifiedForging.On, Coordinator.LastStatus!.Forging);
        var signalAt = Coordinator.LastStatus.LastSignalAt; // the enabling SIGHUP's outcome, and when the agent saw it
        Assert.Equal(SignalOutcome.Verified, Coordinator.LastStatus.LastSignal);
        Assert.InRange(signalAt!.Value, grantedAt, DateTimeOffset.UtcNow);
        Assert.Single(Rig.ForgeLogLines.Events("on"));

        Coordinator.Revoke();
        await Rig.WaitAsync(() => Coordinator.Last<Released>() is not null, Wait, "Released");
        var off = await OffLoggedAsync();
        Assert.Single(Rig.ForgeLogLines.Events("off"));
        Assert.True(off.Mono < Coordinator.ArrivalOf<Released>(_ => true)!.Value, "released only after the node logged off");
        Assert.Empty(Directory.EnumerateFiles(Rig.KeyDir));
        await Reported(VerifiedForging.Off);
        Assert.True(Coordinator.LastStatus!.LastSignalAt > signalAt, "the disabling SIGHUP has its own time");
        metrics = await Rig.HttpGetAsync("/metrics");
        Assert.Contains("cardano_forging_enabled 0", metrics);
        Assert.Contains("cardano_leadership_changes_total 2", metrics);
        Assert.Contains(Rig.Output, l => l.Contains("node health check", StringComparison.Ordinal));
        output.WriteLine(string.Join('\n', Rig.Output.Where(l => l.Contains("\"msg\"", StringComparison.Ordinal)).Take(40)));
    }
}
