using System.Collections.Immutable;
using Forge.KubeApiEmulator;
using Forge.Kubernetes.Tests.Support;

namespace Forge.Kubernetes.Tests.Kubectl;

/// <summary>
/// <c>kubectl delete pod</c> (the real kubectl, which deletes and then waits for the object to go) against pods a
/// host's kubelet runs: the pod comes back with a new uid; pods without a kubelet, missing pods and callers without
/// the <c>delete pods</c> permission are refused as the apiserver refuses them.
/// </summary>
public sealed class PodDeletionCommandsTests : IClassFixture<EmulatorFixture>
{
    private readonly EmulatorFixture _emulator;
    private readonly TestKubelet _kubelet;

    public PodDeletionCommandsTests(EmulatorFixture emulator)
    {
        _emulator = emulator;
        _kubelet = new TestKubelet(emulator.Server);
    }

    /// <summary>
    /// Runs <paramref name="command"/> (a <c>kubectl delete pod</c>) with <paramref name="kubelet"/> holding the kill until
    /// kubectl has listed the pod to wait for it. kubectl waits by a GET (same uid?) and then a LIST + WATCH by name; a
    /// kill and the StatefulSet's re-creation both landing between the two leave it watching the new pod for good (the
    /// emulator does both within milliseconds, a real kubelet and controller take longer). Released after the LIST, the
    /// kill reaches the watch as DELETED from the listed resourceVersion on.
    /// </summary>
    private async Task<Shell.Result> DeleteHeld(TestKubelet kubelet, string pod, string command)
    {
        _emulator.Server.ClearRequests();
        var deleting = _emulator.Kubectl(command);
        await Eventually.Until(() => Task.FromResult(_emulator.Server.Requests.Any(r => r.Method == "GET"
                && r.Path.EndsWith("/pods", StringComparison.Ordinal) && !r.Query.Contains("watch=", StringComparison.Ordinal)
                && r.Query.Contains("metadata.name%3D" + pod, StringComparison.Ordinal))),
            listed => listed || deleting.IsCompleted, TimeSpan.FromSeconds(30), $"kubectl listing {pod} to wait for its deletion");
        kubelet.Release();
        return await deleting;
    }

    [Fact]
    public async Task Delete_pod_waits_for_the_kubelet_and_the_pod_comes_back_with_a_new_uid()
    {
        var kubelet = new TestKubelet(_emulator.Server, holdKills: true);
        kubelet.Register("deletable-0");
        var before = await _emulator.Kubectl("kubectl get pod deletable-0 -o jsonpath='{.metadata.uid}'");

        var deleted = await DeleteHeld(kubelet, "deletable-0", "kubectl delete pod deletable-0");
        var after = await _emulator.Kubectl("kubectl get pod deletable-0 -o jsonpath='{.metadata.uid}'");

        Assert.True(deleted.ExitCode == 0, deleted.ToString());
        Assert.Equal("pod \"deletable-0\" deleted", deleted.Stdout.Trim());
        var deletion = Assert.Single(kubelet.Deletions);
        Assert.Equal(("cardano", "deletable-0", before.Stdout, TimeSpan.FromSeconds(30)), (deletion.Namespace, deletion.Name, deletion.Uid, deletion.Grace));
        Assert.True(after.ExitCode == 0, after.ToString());
        Assert.NotEqual(before.Stdout, after.Stdout);
        Assert.NotEmpty(after.Stdout);
    }

    [Fact]
    public async Task Delete_pod_with_a_grace_period_passes_it_to_the_kubelet()
    {
        var kubelet = new TestKubelet(_emulator.Server, holdKills: true);
        kubelet.Register("deletable-1");

        var deleted = await DeleteHeld(kubelet, "deletable-1", "kubectl delete pod deletable-1 --grace-period=1");

        Assert.True(deleted.ExitCode == 0, deleted.ToString());
        Assert.Equal(TimeSpan.FromSeconds(1), Assert.Single(kubelet.Deletions).Grace);
    }

    [Fact]
    public async Task A_terminating_pod_is_listed_as_Terminating_until_its_processes_are_dead()
    {
        var held = new TestKubelet(_emulator.Server, holdKills: true);
        held.Register("deletable-2");

        var deleted = await _emulator.Kubectl("kubectl delete pod deletable-2 --wait=false");
        var listed = await _emulator.Kubectl("kubectl get pod deletable-2");
        held.Release();
        var waited = await _emulator.Kubectl("kubectl wait --for=delete pod/deletable-2 --timeout=10s || kubectl get pod deletable-2");

        Assert.True(deleted.ExitCode == 0, deleted.ToString());
        Assert.Equal("Terminating", PrintedTable.Parse(listed.Stdout).Row("deletable-2")["STATUS"]);
        Assert.True(waited.ExitCode == 0, waited.ToString());
    }

    [Fact]
    public async Task A_pod_without_a_kubelet_is_refused_with_405()
    {
        _emulator.Server.RegisterPod(new PodRegistration(
            "unkillable", ImmutableDictionary<string, string>.Empty.Add("app", "unkillable"), [new PodContainer("forge-manager", "/dev/null")]));

        var result = await _emulator.Kubectl("kubectl delete pod unkillable");
        var still = await _emulator.Kubectl("kubectl get pod unkillable");

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("Error from server (MethodNotAllowed): the emulator cannot delete pod \"unkillable\"", result.Stderr);
        Assert.True(still.ExitCode == 0, still.ToString());
        Assert.Equal("Running", PrintedTable.Parse(still.Stdout).Row("unkillable")["STATUS"]);
    }

    [Fact]
    public async Task A_missing_pod_is_not_found()
    {
        var result = await _emulator.Kubectl("kubectl delete pod no-such-pod");

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("Error from server (NotFound): pods \"no-such-pod\" not found", result.Stderr);
    }

    [Fact]
    public async Task A_service_account_without_delete_pods_is_forbidden()
    {
        _kubelet.Register("deletable-3");

        var result = await _emulator.Kubectl("kubectl delete pod deletable-3 --as=system:serviceaccount:cardano:nobody");

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("pods \"deletable-3\" is forbidden: User \"system:serviceaccount:cardano:nobody\" cannot delete resource \"pods\"", result.Stderr);
        Assert.Empty(_kubelet.Deletions);
    }
}
