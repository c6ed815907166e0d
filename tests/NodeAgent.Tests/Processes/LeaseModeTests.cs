using Forge.KubeApiEmulator;
using Forge.NodeAgent.Native;
using Forge.NodeAgent.Tests.Infrastructure;
using Xunit;

namespace Forge.NodeAgent.Tests.Processes;

/// <summary>
/// Single-cluster mode (ENABLE_CLUSTER_MANAGEMENT=false): two agents of one region contend for one
/// coordination.k8s.io/v1 Lease on the Kubernetes API emulator; each drives its own fence and stand-in. The forge logs
/// must never show both nodes on at once; a SIGTERM of the leader hands the Lease over.
/// </summary>
[Collection(ProcessCollection.Name)]
public sealed class LeaseModeTests : IAsyncLifetime
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(60);
    private readonly TempDir _dir = new("forge-agent-lease");
    private KubeApiEmulatorServer _api = null!;
    private readonly List<AgentRig> _rigs = [];

    public async Task InitializeAsync()
    {
        _api = new KubeApiEmulatorServer(new EmulatorOptions());
        await _api.StartAsync();
    }

    public async Task DisposeAsync()
    {
        foreach (var rig in _rigs) await rig.DisposeAsync();
        await _api.DisposeAsync();
        _dir.Dispose();
    }

    private AgentRig Start(string pod)
    {
        var rig = AgentRig.Start(_dir, null, null, pod, env: new Dictionary<string, string>
        {
            ["ENABLE_CLUSTER_MANAGEMENT"] = "false",
            ["KUBE_API_URL"] = _api.BaseUrl.ToString().TrimEnd('/'),
            ["NAMESPACE"] = "cardano",
            ["LEASE_DURATION"] = "3",
            ["LEASE_RENEW_DEADLINE"] = "2",
            ["LEASE_RETRY_PERIOD"] = "0.3",
            ["STANDALONE_GRANT_TTL"] = "1",
        });
        _rigs.Add(rig);
        return rig;
    }

    private static bool On(AgentRig rig) => rig.FenceStatus().GetValueOrDefault("state") == "on";

    [Fact]
    public async Task Two_agents_contending_for_a_lease_never_forge_at_once_and_sigterm_hands_over()
    {
        var a = Start("pod-0");
        var b = Start("pod-1");
        await a.WaitAsync(() => On(a) || On(b), Wait, "one of the two to forge");
        var (leader, follower) = On(a) ? (a, b) : (b, a);
        var metrics = await leader.WaitMetricsAsync("cardano_leader_status 1", Wait);
        Assert.Contains("cardano_standalone_mode 1", metrics);
        await follower.WaitMetricsAsync("cardano_leader_status 0", Wait);

        // a while of steady state: the follower stays off while the leader renews
        await Task.Delay(TimeSpan.FromSeconds(2));
        Assert.True(On(leader));
        Assert.Empty(follower.ForgeLogLines.Events("on"));

        var agent = leader.Pid("agent")!.Value;
        Assert.Equal(0, LinuxNative.Kill(agent, 15 /* SIGTERM */));
        await follower.WaitAsync(() => On(follower), Wait, "the follower to take over");
        Assert.False(On(leader));
        await leader.WaitAsync(() => leader.ForgeLogLines.Events("off").Any(), Wait, "the leader's off line in its forge log");

        var intervals = ForgeLog.OnIntervals(leader.ForgeLogLines).Select(i => (i.From, i.To, Node: "leader"))
            .Concat(ForgeLog.OnIntervals(follower.ForgeLogLines).Select(i => (i.From, i.To, Node: "follower")))
            .OrderBy(i => i.From).ToList();
        for (var i = 1; i < intervals.Count; i++)
            Assert.True(intervals[i - 1].To <= intervals[i].From,
                $"{intervals[i - 1].Node} on until {intervals[i - 1].To}, {intervals[i].Node} on from {intervals[i].From}");
        var slots = leader.ForgeLogLines.Concat(follower.ForgeLogLines).Where(l => l.Slot is not null).Select(l => l.Slot).ToList();
        Assert.Equal(slots.Count, slots.Distinct().Count());
    }
}
