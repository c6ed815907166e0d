using k8s;
using k8s.LeaderElection;
using k8s.LeaderElection.ResourceLock;
using Forge.Kubernetes.Tests.Support;

namespace Forge.Kubernetes.Tests.Client;

/// <summary>
/// KubernetesClient's own Lease-based leader election (what single-cluster mode builds on) against the
/// emulator: one leader at a time, and a successor once the leader stops renewing and its Lease expires.
/// </summary>
public sealed class LeaderElectionTests(EmulatorFixture emulator) : IClassFixture<EmulatorFixture>
{
    [Fact]
    public async Task A_second_candidate_leads_only_after_the_first_stops_renewing()
    {
        var lease = $"forge-leader-{Guid.NewGuid():N}";
        using var clientA = new k8s.Kubernetes(KubernetesClientConfiguration.BuildConfigFromConfigFile(emulator.KubeconfigPath));
        using var clientB = new k8s.Kubernetes(KubernetesClientConfiguration.BuildConfigFromConfigFile(emulator.KubeconfigPath));
        using var a = Elector(clientA, lease, "cardano-node-0");
        using var b = Elector(clientB, lease, "cardano-node-1");
        var aLeads = Signal(a);
        var bLeads = Signal(b);
        using var stopA = new CancellationTokenSource();
        using var stopB = new CancellationTokenSource();

        var runA = a.RunUntilLeadershipLostAsync(stopA.Token);
        await aLeads.WaitAsync(TimeSpan.FromSeconds(10));
        var runB = b.RunUntilLeadershipLostAsync(stopB.Token);
        await Eventually.Until(() => Task.FromResult(b.GetLeader()), l => l == "cardano-node-0", what: "B sees A as leader");
        Assert.False(b.IsLeader());

        await stopA.CancelAsync();
        await bLeads.WaitAsync(TimeSpan.FromSeconds(10));

        Assert.True(b.IsLeader());
        var record = await clientB.CoordinationV1.ReadNamespacedLeaseAsync(lease, EmulatorFixture.Namespace);
        Assert.Equal("cardano-node-1", record.Spec.HolderIdentity);
        await stopB.CancelAsync();
        await Task.WhenAll(runA, runB).ContinueWith(_ => { }, TaskScheduler.Default);
    }

    private static LeaderElector Elector(IKubernetes client, string lease, string identity) =>
        new(new LeaderElectionConfig(new LeaseLock(client, EmulatorFixture.Namespace, lease, identity))
        {
            // short enough for a quick test, long enough that a loaded CI machine does not miss renewals
            LeaseDuration = TimeSpan.FromSeconds(3),
            RenewDeadline = TimeSpan.FromSeconds(2),
            RetryPeriod = TimeSpan.FromMilliseconds(250),
        });

    private static Task Signal(LeaderElector elector)
    {
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        elector.OnStartedLeading += () => started.TrySetResult();
        return started.Task;
    }
}
