using System.Net;
using System.Threading.Channels;
using Forge.Kubernetes.Tests.Support;
using k8s;
using k8s.Autorest;
using k8s.Models;

namespace Forge.Kubernetes.Tests.Client;

/// <summary>
/// KubernetesClient's <c>DeleteNamespacedPodAsync</c> as the coordinator calls it (grace 1 s, uid precondition): the
/// pod is marked (MODIFIED, deletionTimestamp), removed (DELETED) only once the kubelet says its processes are dead,
/// then registered again with a new uid; a wrong uid is 409, a missing pod 404, a failed kill leaves it Terminating.
/// </summary>
public sealed class PodDeletionClientTests(EmulatorFixture emulator) : IClassFixture<EmulatorFixture>, IDisposable
{
    private const string Ns = EmulatorFixture.Namespace;
    private readonly k8s.Kubernetes _client = new(KubernetesClientConfiguration.BuildConfigFromConfigFile(emulator.KubeconfigPath));

    public void Dispose() => _client.Dispose();

    [Fact]
    public async Task Deleting_with_a_uid_precondition_marks_the_pod_and_removes_it_only_when_the_kubelet_is_done()
    {
        var kubelet = new TestKubelet(emulator.Server, holdKills: true);
        kubelet.Register("forger-0");
        var pod = await _client.ReadNamespacedPodAsync("forger-0", Ns);
        var events = Channel.CreateUnbounded<(WatchEventType Type, V1Pod Pod)>();
        using var watch = _client.CoreV1.WatchListNamespacedPod(
            Ns, fieldSelector: "metadata.name=forger-0", resourceVersion: pod.Metadata.ResourceVersion, timeoutSeconds: 30,
            onEvent: (t, p) => events.Writer.TryWrite((t, p)));

        var returned = await _client.DeleteNamespacedPodAsync("forger-0", Ns,
            new V1DeleteOptions { GracePeriodSeconds = 1, Preconditions = new V1Preconditions { Uid = pod.Metadata.Uid } });
        var marked = await NextAsync(events);
        var deletion = await Eventually.Until(() => Task.FromResult(kubelet.Deletions.TryPeek(out var d) ? d : null), d => d is not null, what: "the kubelet is asked");
        var whileKilling = await _client.ReadNamespacedPodAsync("forger-0", Ns);
        kubelet.Release();
        var removed = await NextAsync(events);
        var recreated = await NextAsync(events);

        Assert.NotNull(returned.Metadata.DeletionTimestamp);
        Assert.Equal(1, returned.Metadata.DeletionGracePeriodSeconds);
        Assert.Equal((WatchEventType.Modified, pod.Metadata.Uid), (marked.Type, marked.Pod.Metadata.Uid));
        Assert.NotNull(marked.Pod.Metadata.DeletionTimestamp);
        Assert.Equal(new Forge.KubeApiEmulator.PodDeletion(Ns, "forger-0", pod.Metadata.Uid, TimeSpan.FromSeconds(1)), deletion);
        Assert.NotNull(whileKilling.Metadata.DeletionTimestamp); // not gone before its processes are dead
        Assert.Equal((WatchEventType.Deleted, pod.Metadata.Uid), (removed.Type, removed.Pod.Metadata.Uid));
        Assert.Equal(WatchEventType.Added, recreated.Type);
        Assert.NotEqual(pod.Metadata.Uid, recreated.Pod.Metadata.Uid);
        Assert.Null(recreated.Pod.Metadata.DeletionTimestamp);
    }

    [Fact]
    public async Task A_uid_precondition_that_does_not_match_is_a_409_and_nothing_is_killed()
    {
        var kubelet = new TestKubelet(emulator.Server);
        kubelet.Register("forger-1");
        var uid = (await _client.ReadNamespacedPodAsync("forger-1", Ns)).Metadata.Uid;

        var e = await Assert.ThrowsAsync<HttpOperationException>(() => _client.DeleteNamespacedPodAsync("forger-1", Ns,
            new V1DeleteOptions { GracePeriodSeconds = 1, Preconditions = new V1Preconditions { Uid = "an-older-pod" } }));
        var after = await _client.ReadNamespacedPodAsync("forger-1", Ns);

        Assert.Equal(HttpStatusCode.Conflict, e.Response.StatusCode);
        Assert.Contains("\"reason\":\"Conflict\"", e.Response.Content);
        Assert.Contains($"Operation cannot be fulfilled on pods \\\"forger-1\\\": Precondition failed: UID in precondition: an-older-pod, UID in object meta: {uid}", e.Response.Content);
        Assert.Empty(kubelet.Deletions);
        Assert.Null(after.Metadata.DeletionTimestamp);
    }

    [Fact]
    public async Task A_missing_pod_is_a_404()
    {
        var e = await Assert.ThrowsAsync<HttpOperationException>(() => _client.DeleteNamespacedPodAsync("no-such-pod", Ns,
            new V1DeleteOptions { GracePeriodSeconds = 1, Preconditions = new V1Preconditions { Uid = "x" } }));

        Assert.Equal(HttpStatusCode.NotFound, e.Response.StatusCode);
        Assert.Contains("pods \\\"no-such-pod\\\" not found", e.Response.Content);
    }

    [Fact]
    public async Task A_kill_that_fails_leaves_the_pod_terminating_never_removed()
    {
        var kubelet = new TestKubelet(emulator.Server, holdKills: true) { Fail = true };
        kubelet.Register("forger-2");
        var uid = (await _client.ReadNamespacedPodAsync("forger-2", Ns)).Metadata.Uid;

        await _client.DeleteNamespacedPodAsync("forger-2", Ns, new V1DeleteOptions { GracePeriodSeconds = 1 });
        kubelet.Release();
        var failed = await Eventually.Until(
            () => _client.CoreV1.ListNamespacedEventAsync(Ns, fieldSelector: $"involvedObject.uid={uid}"), l => l.Items.Count > 0, what: "the kubelet's FailedKillPod event");
        var second = await _client.DeleteNamespacedPodAsync("forger-2", Ns, new V1DeleteOptions { GracePeriodSeconds = 1 });
        var after = await _client.ReadNamespacedPodAsync("forger-2", Ns);

        Assert.Equal(("FailedKillPod", "Warning", "error killing pod: could not kill forger-2"), (failed.Items[0].Reason, failed.Items[0].Type, failed.Items[0].Message));
        Assert.Equal(uid, after.Metadata.Uid);
        Assert.NotNull(after.Metadata.DeletionTimestamp);
        Assert.NotNull(second.Metadata.DeletionTimestamp);
        Assert.Single(kubelet.Deletions); // a second delete of a terminating pod does not start a second kill
    }

    private static async Task<(WatchEventType Type, V1Pod Pod)> NextAsync(Channel<(WatchEventType Type, V1Pod Pod)> events)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        return await events.Reader.ReadAsync(cts.Token);
    }
}
