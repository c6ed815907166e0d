using Forge.NodeAgent.Node;
using Forge.NodeAgent.Tests.Infrastructure;
using Xunit;

namespace Forge.NodeAgent.Tests.Node;

/// <summary>Sidecar mode finds the node by PID; a PID can be reused by another process after the node died. A fake
/// /proc makes the reuse deterministic.</summary>
public sealed class NodeKillerTests : IDisposable
{
    private readonly TempDir _proc = new("fake-proc");

    public void Dispose() => _proc.Dispose();

    private void FakeProcess(int pid, long startTicks, string comm)
    {
        var dir = Directory.CreateDirectory(_proc[pid.ToString(System.Globalization.CultureInfo.InvariantCulture)]).FullName;
        // fields after "(comm)": state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt utime stime cutime
        // cstime priority nice threads itrealvalue starttime (field 22) ...
        File.WriteAllText(Path.Combine(dir, "stat"),
            $"{pid} ({comm}) S 1 1 1 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 {startTicks} 0 0\n");
        File.WriteAllText(Path.Combine(dir, "comm"), comm + "\n");
    }

    [Fact]
    public async Task A_reused_pid_is_never_signalled()
    {
        FakeProcess(4242, 1000, "cardano-node");
        var killer = new NodeKiller("cardano-node", _proc.Path);
        killer.Observe(4242);
        Assert.NotNull(killer.Known);

        // the node died and an unrelated process got the same PID (later start time)
        FakeProcess(4242, 2000, "cardano-node");
        var (gone, detail) = await killer.KillAsync(4242, CancellationToken.None);
        Assert.True(gone);
        Assert.Contains("another process", detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_process_with_another_executable_is_not_taken_for_the_node()
    {
        FakeProcess(77, 5, "bash");
        var killer = new NodeKiller("cardano-node", _proc.Path);
        killer.Observe(77);
        Assert.Null(killer.Known);
        var (gone, detail) = await killer.KillAsync(77, CancellationToken.None);
        Assert.False(gone);
        Assert.Contains("no verified node process", detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_real_process_is_killed_and_seen_gone()
    {
        using var sleeper = System.Diagnostics.Process.Start("sleep", "60");
        var killer = new NodeKiller("sleep");
        killer.Observe(sleeper.Id);
        Assert.NotNull(killer.Known);
        var (gone, _) = await killer.KillAsync(sleeper.Id, CancellationToken.None);
        Assert.True(gone);
        Assert.True(sleeper.WaitForExit(2000));
    }
}
