using System.Collections.Concurrent;
using System.Collections.Immutable;
using Forge.KubeApiEmulator;
using Forge.Kubernetes;
using Forge.PodFence;
using Forge.Protocol;
using k8s;
using Xunit;

namespace Forge.Tests.Kubernetes;

/// <summary>
/// <see cref="KubernetesPodFenceApi"/> (the pod fence's KubernetesClient calls) and one whole fence
/// (<see cref="PodFenceRun"/>) against the API emulator, whose pods are deleted through their host's kubelet. The client
/// runs as the coordinators' ServiceAccount under deploy/base's Role: pods get + delete are allowed, nothing more.
/// </summary>
public sealed class PodFenceApiAgainstEmulatorTests : IAsyncLifetime
{
    private const string Ns = "cardano";
    private readonly KubeApiEmulatorServer _server = new(new EmulatorOptions { CrdPaths = [RepoRoot.File("deploy/crd/cardanoforgeclusters.cardano.io.yaml")] });
    private readonly ConcurrentQueue<PodDeletion> _kills = new();
    private readonly TaskCompletionSource _frozen = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private k8s.Kubernetes _client = null!;
    private KubernetesPodFenceApi _api = null!;

    public async Task InitializeAsync()
    {
        await _server.StartAsync();
        _server.ApplyManifest(await File.ReadAllTextAsync(RepoRoot.File("deploy/base/coordinator-rbac.yaml")), Ns);
        var kubeconfig = _server.WriteKubeconfig(Path.Combine(Path.GetTempPath(), $"forge-manager-{Guid.NewGuid():N}.kubeconfig"),
            Ns, serviceAccount: "cardano:forge-manager");
        _client = new k8s.Kubernetes(KubernetesClientConfiguration.BuildConfigFromConfigFile(kubeconfig));
        File.Delete(kubeconfig);
        _api = new KubernetesPodFenceApi(_client, Ns, TimeSpan.FromSeconds(2), "system:serviceaccount:cardano:forge-manager");
    }

    public async Task DisposeAsync()
    {
        _frozen.TrySetResult();
        _client.Dispose();
        await _server.DisposeAsync();
    }

    /// <summary>A cardano-node pod whose kubelet kills it at once (then the StatefulSet registers it again, new uid),
    /// or never (<paramref name="frozen"/>: its kubelet is paused with the machine).</summary>
    private void Register(string name, bool frozen = false) => _server.RegisterPod(new PodRegistration(
        name, ImmutableDictionary<string, string>.Empty.Add("app", "cardano-node"), [new PodContainer("forge-manager", "/dev/null")],
        StatefulSet: "cardano-bp", Kubelet: async d =>
        {
            _kills.Enqueue(d);
            if (frozen) await _frozen.Task;
            else Register(name);
        }));

    private static PodFenceOrder Order(string pod) =>
        new("pool1", new TermId(7, "us-east-1/c:4053"), new NodeId("us-east-1-prod", pod), Guid.NewGuid(), TimeSpan.FromSeconds(3), TimeSpan.FromSeconds(5));

    private static PodFenceSettings Settings(TimeSpan confirmWithin) =>
        new(true, 0.6, TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(1), confirmWithin, TimeSpan.FromSeconds(5));

    [Fact]
    public async Task A_fence_deletes_with_grace_1s_and_the_uid_and_is_confirmed_once_the_kubelet_killed_the_pod()
    {
        Register("cardano-bp-0");
        var before = await _api.GetAsync("cardano-bp-0", CancellationToken.None);
        Assert.NotNull(before);
        Assert.False(before.Deleting);

        var r = await PodFenceRun.FenceAsync(_api, Order("cardano-bp-0"), Settings(TimeSpan.FromSeconds(10)), CancellationToken.None);

        Assert.Equal(PodFenceOutcome.Confirmed, r.Outcome);
        Assert.Matches(@"\(read \d+\.\d\d s, deleted \d+\.\d\d s, gone \d+\.\d\d s\)$", r.Detail); // each step's time, for the log
        Assert.Equal(before.Uid, r.Uid);
        Assert.Equal([new PodDeletion(Ns, "cardano-bp-0", before.Uid, TimeSpan.FromSeconds(1))], _kills.ToArray());
        var recreated = await _api.GetAsync("cardano-bp-0", CancellationToken.None);
        Assert.NotEqual(before.Uid, recreated?.Uid); // the StatefulSet's new pod, not fenced again by this run
    }

    [Fact]
    public async Task A_pod_whose_kubelet_is_frozen_stays_terminating_and_the_fence_is_unconfirmed()
    {
        Register("cardano-bp-1", frozen: true);
        var r = await PodFenceRun.FenceAsync(_api, Order("cardano-bp-1"), Settings(TimeSpan.FromSeconds(2)), CancellationToken.None);

        Assert.Equal(PodFenceOutcome.Unconfirmed, r.Outcome);
        Assert.Matches(@"\(read \d+\.\d\d s, deleted \d+\.\d\d s\)$", r.Detail); // never gone
        Assert.Single(_kills);
        var still = await _api.GetAsync("cardano-bp-1", CancellationToken.None);
        Assert.Equal((r.Uid, true), (still?.Uid, still?.Deleting));
    }

    [Fact]
    public async Task A_wrong_uid_is_a_conflict_a_missing_pod_is_gone_and_other_pod_calls_are_forbidden()
    {
        Register("cardano-bp-2");
        var conflict = await Assert.ThrowsAsync<KubeApiException>(() =>
            _api.DeleteAsync("cardano-bp-2", "not-its-uid", TimeSpan.FromSeconds(1), CancellationToken.None));
        Assert.Equal(KubeApiError.Conflict, conflict.Error);
        Assert.Contains("Precondition failed", conflict.Message);
        Assert.Empty(_kills);

        Assert.Null(await _api.GetAsync("cardano-bp-9", CancellationToken.None));
        var missing = await Assert.ThrowsAsync<KubeApiException>(() =>
            _api.DeleteAsync("cardano-bp-9", "any", TimeSpan.FromSeconds(1), CancellationToken.None));
        Assert.Equal(KubeApiError.NotFound, missing.Error);
        var gone = await PodFenceRun.FenceAsync(_api, Order("cardano-bp-9"), Settings(TimeSpan.FromSeconds(2)), CancellationToken.None);
        Assert.Equal(PodFenceOutcome.Gone, gone.Outcome);

        // least privilege: the Role grants pods get + delete only
        var list = await Assert.ThrowsAsync<k8s.Autorest.HttpOperationException>(() => _client.CoreV1.ListNamespacedPodAsync(Ns));
        Assert.Equal(System.Net.HttpStatusCode.Forbidden, list.Response.StatusCode);
    }
}
