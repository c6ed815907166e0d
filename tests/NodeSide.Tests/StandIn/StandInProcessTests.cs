using System.Diagnostics;
using Forge.NodeSide.Tests.Infrastructure;

namespace Forge.NodeSide.Tests.StandIn;

/// <summary>The stand-in as a process: startup refusals, SIGHUP rules, log lines, metrics, forge log, sync.</summary>
public sealed class StandInProcessTests : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);
    private readonly TestDir _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void Refuses_to_start_when_a_credential_file_is_missing()
    {
        var spec = new StandInSpec(_dir);
        StandInSpec.WriteCredentials(spec.KeyDir);
        File.Delete(spec.OpCertPath);
        var (code, stderr) = RunToExit(spec);
        Assert.NotEqual(0, code);
        Assert.Contains("does not exist", stderr, StringComparison.Ordinal);
        Assert.Contains(spec.OpCertPath, stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Refuses_to_start_when_the_vrf_key_is_readable_by_other()
    {
        var spec = new StandInSpec(_dir);
        StandInSpec.WriteCredentials(spec.KeyDir);
        File.SetUnixFileMode(spec.VrfPath, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.OtherRead);
        var (code, stderr) = RunToExit(spec);
        Assert.NotEqual(0, code);
        Assert.Contains("\"other\" file permissions", stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("cborHex", stderr, StringComparison.Ordinal); // never the content
    }

    [Fact]
    public void Sighup_before_the_kernel_is_up_reloads_the_topology_only()
    {
        using var node = StandInNode.Start(new StandInSpec(_dir) { KernelDelayMs = 5000 });
        node.WaitSignalHandlers();
        node.Sighup();
        node.WaitLogged("BlockForgingUpdateNotPossible");
        Assert.Single(node.Logged("NetworkConfigUpdate"));
        Assert.Empty(node.Logged("BlockForgingUpdate"));
        Assert.Equal(0, node.Metrics()["cardano_node_metrics_forging_enabled"]);
        Assert.Equal(0, node.Metrics()["cardano_node_standin_kernel_up"]);
    }

    [Fact]
    public void Sighup_enables_with_all_files_and_disables_when_one_is_missing()
    {
        using var node = StandInNode.Start(new StandInSpec(_dir));
        node.WaitKernelUp();
        node.WaitLogged("BlockForgingUpdate", enabled: "DisabledBlockForging"); // non-producing start
        Assert.Equal(0, node.Metrics()["cardano_node_metrics_forging_enabled"]);

        node.Sighup();
        node.WaitLogged("BlockForgingUpdate", enabled: "EnabledBlockForging");
        Assert.Equal(1, node.Metrics()["cardano_node_metrics_forging_enabled"]);
        Poll.Until(() => ForgeLogFile.Read(node.Spec.ForgeLog).Slots().Count() >= 3, Timeout, "three forged slots");
        Poll.Until(() => node.Metrics()["cardano_node_metrics_Forge_forged_int"] >= 3, Timeout, "Forge_forged_int counts them");

        File.Delete(node.Spec.KesPath);
        node.Sighup();
        node.WaitLogged("BlockForgingUpdate", count: 2, enabled: "DisabledBlockForging");
        Assert.Equal(0, node.Metrics()["cardano_node_metrics_forging_enabled"]);

        var log = ForgeLogFile.Read(node.Spec.ForgeLog);
        var on = Assert.Single(log.Events("on"));
        var off = Assert.Single(log.Events("off"));
        Assert.All(log.Slots(), s => Assert.InRange(s.Mono, on.Mono, off.Mono)); // forged only while on
        Assert.Equal(log.Slots().Count(), log.Slots().Select(s => s.Slot).Distinct().Count()); // no slot twice
        Assert.All(log, l => Assert.Equal(("pool1test", "test/n0"), (l.Pool, l.Node)));
        var forged = node.Metrics()["cardano_node_metrics_Forge_forged_int"];
        Poll.Never(() => node.Metrics()["cardano_node_metrics_Forge_forged_int"] > forged, TimeSpan.FromMilliseconds(400), "forging after off");
    }

    [Fact]
    public void A_node_started_with_sighup_ignored_still_reconfigures_forging_on_sighup_as_cardano_node_does()
    {
        // e.g. a sandbox launched with nohup: every process below it inherits "SIGHUP ignored"
        using var node = StandInNode.Start(new StandInSpec(_dir), inheritIgnoredSighup: true);
        node.WaitKernelUp();
        node.WaitLogged("BlockForgingUpdate", enabled: "DisabledBlockForging");
        node.Sighup();
        node.WaitLogged("BlockForgingUpdate", enabled: "EnabledBlockForging");
        Assert.Equal(1, node.Metrics()["cardano_node_metrics_forging_enabled"]);
        Assert.False(node.Process.HasExited);
    }

    [Fact]
    public void Bad_permissions_on_sighup_log_BlockForgingUpdateError_and_leave_the_state_unchanged()
    {
        using var node = StandInNode.Start(new StandInSpec(_dir));
        node.WaitKernelUp();
        var readableByOther = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.OtherRead;

        // from off: stays off
        File.SetUnixFileMode(node.Spec.VrfPath, readableByOther);
        node.Sighup();
        node.WaitLogged("BlockForgingUpdateError");
        Assert.Equal(0, node.Metrics()["cardano_node_metrics_forging_enabled"]);

        // from on: stays on
        File.SetUnixFileMode(node.Spec.VrfPath, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        node.Sighup();
        node.WaitLogged("BlockForgingUpdate", enabled: "EnabledBlockForging");
        File.SetUnixFileMode(node.Spec.VrfPath, readableByOther);
        node.Sighup();
        node.WaitLogged("BlockForgingUpdateError", count: 2);
        Assert.Equal(1, node.Metrics()["cardano_node_metrics_forging_enabled"]);
        var error = node.Logged("BlockForgingUpdateError")[1];
        Assert.Equal("Error", error.GetProperty("sev").GetString());
        Assert.Equal("cardano.node.startup", error.GetProperty("ns")[0].GetString());

        // bad content is an error too, never a disable
        File.SetUnixFileMode(node.Spec.VrfPath, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        File.WriteAllText(node.Spec.KesPath, """{"type":"KesSigningKey_ed25519_kes_2^6","description":"","cborHex":"00"}""");
        node.Sighup();
        node.WaitLogged("BlockForgingUpdateError", count: 3);
        Assert.Equal(1, node.Metrics()["cardano_node_metrics_forging_enabled"]);
        Assert.Single(ForgeLogFile.Read(node.Spec.ForgeLog).Events("on"));
        Assert.Empty(ForgeLogFile.Read(node.Spec.ForgeLog).Events("off"));
    }

    [Fact]
    public void Forging_metric_bug_reports_1_after_a_non_producing_start()
    {
        using var node = StandInNode.Start(new StandInSpec(_dir) { Extra = ["--standin-forging-metric-bug"] });
        node.WaitKernelUp();
        var m = node.Metrics();
        Assert.Equal((1.0, 0.0), (m["cardano_node_metrics_forging_enabled"], m["cardano_node_standin_forging_true"]));
        Poll.Never(() => ForgeLogFile.Read(node.Spec.ForgeLog).Count > 0, TimeSpan.FromMilliseconds(300), "forging while the metric lies");

        File.Delete(node.Spec.VrfPath);
        node.Sighup();
        node.WaitLogged("BlockForgingUpdate", count: 2, enabled: "DisabledBlockForging");
        Assert.Equal(0, node.Metrics()["cardano_node_metrics_forging_enabled"]);
    }

    [Fact]
    public void Producing_start_forges_from_kernel_up_and_reports_kes_and_slots()
    {
        var spec = new StandInSpec(_dir) { NonProducing = false, Extra = ["--standin-slots-per-kes-period", "1000"] };
        StandInSpec.WriteCredentials(spec.KeyDir, counter: 4, kesPeriod: 0);
        using var node = StandInNode.Start(spec, writeCredentials: false);
        node.WaitKernelUp();
        Poll.Until(() => ForgeLogFile.Read(spec.ForgeLog).Slots().Any(), Timeout, "a forged slot");
        var m = node.Metrics();
        // the epoch is 60 s ago with 100 ms slots: slot ~600, KES period 0
        Assert.InRange(m["cardano_node_metrics_slotNum_int"], 590, 2000);
        Assert.Equal(62 - m["cardano_node_metrics_currentKESPeriod_int"], m["cardano_node_metrics_remainingKESPeriods_int"]);
        Assert.Equal(1, m["cardano_node_metrics_forging_enabled"]);
    }

    [Fact]
    public void Starts_behind_and_catches_up_to_synced()
    {
        // 1200 slots behind, 300 slots/s against 10 new slots/s: synced (within 10 slots) after about 4 s, long enough
        // to see it unsynced first even on a loaded machine
        using var node = StandInNode.Start(new StandInSpec(_dir)
        {
            Extra = ["--standin-start-behind-slots", "1200", "--standin-catchup-rate", "300", "--standin-sync-lag-slots", "10"],
        });
        node.WaitSignalHandlers();
        var first = node.Metrics();
        var clock = Stopwatch.StartNew();
        Assert.Equal(0, first["cardano_node_standin_synced"]);
        Assert.True(first["cardano_node_standin_current_slot"] - first["cardano_node_metrics_slotNum_int"] > 10);
        Poll.Until(() => node.Metrics()["cardano_node_standin_synced"] == 1, TimeSpan.FromSeconds(15), "synced");
        Assert.InRange(clock.ElapsedMilliseconds, 0, 10_000); // ~4 s after the process started
        var m = node.Metrics();
        Assert.InRange(m["cardano_node_standin_current_slot"] - m["cardano_node_metrics_slotNum_int"], 0, 10);
    }

    [Fact]
    public void Leader_fraction_leads_a_share_of_slots_only()
    {
        var spec = new StandInSpec(_dir) { NonProducing = false, Extra = ["--standin-leader-fraction", "0.3"] };
        using var node = StandInNode.Start(spec);
        node.WaitSignalHandlers(); // the metrics endpoint is up before this line
        Poll.Until(() => node.Metrics() is var m && m["cardano_node_metrics_Forge_node_is_leader_int"] + m["cardano_node_metrics_Forge_node_not_leader_int"] >= 20,
            Timeout, "20 leadership checks");
        var slots = ForgeLogFile.Read(spec.ForgeLog).Slots().Select(s => s.Slot!.Value).ToList();
        var schedule = new Forge.StandIn.Chain.LeaderSchedule("pool1test", 0.3);
        Assert.All(slots, s => Assert.True(schedule.IsLeader(s)));
        Assert.True(node.Metrics()["cardano_node_metrics_Forge_node_not_leader_int"] > 0);
    }

    private static (int Code, string Stderr) RunToExit(StandInSpec spec)
    {
        var command = spec.Command();
        var info = new ProcessStartInfo(command[0]) { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var a in command.Skip(1)) info.ArgumentList.Add(a);
        using var p = Process.Start(info)!;
        var stderr = p.StandardError.ReadToEndAsync();
        Assert.True(p.WaitForExit(10_000), "the stand-in should exit");
        return (p.ExitCode, stderr.GetAwaiter().GetResult());
    }
}
