namespace Forge.Sandbox.Tests;

/// <summary>
/// The sandbox's kubelet: <c>kubectl delete pod</c> of a pod whose fence, agent and node are all SIGSTOPped (the
/// stop-forger-pod freeze) kills them - SIGKILL after the grace, no SIGCONT - and the pod comes back as a new pod
/// (new uid, new PIDs in sandbox.json) that starts non-forging. A standby pod, so the forger and the other tests'
/// world are untouched; it runs after the restart tests (T06, T07), which the later tests already tolerate.
/// </summary>
public sealed partial class SandboxProcessTests
{
    [Fact]
    public void T07b_kubectl_delete_pod_kills_its_frozen_processes_and_the_pod_comes_back_new_and_non_forging()
    {
        var region = sandbox.Manifest().Regions[2];
        var before = region.Nodes[0]; // eu-west-1-prod/cardano-bp-0: a standby of the lowest-priority region
        var oldUid = PodUid(region.Context, before.Pod);
        Assert.False(PromText.Forging(GetText(before.AgentMetrics)), $"{before.Id} is a standby");
        var pids = new[] { before.FencePid, before.AgentPid, before.NodePid };
        foreach (var pid in pids) Assert.True(Native.Kill(pid, Native.SIGSTOP), $"SIGSTOP {pid}");

        var deleted = Kubectl("--context", region.Context, "delete", "pod", before.Pod, "--grace-period=1");

        Log(deleted.Out + deleted.Err);
        Assert.True(deleted.Code == 0, deleted.Err);
        Assert.Equal($"pod \"{before.Pod}\" deleted", deleted.Out.Trim());
        // kubectl returned once the object was removed, and the kubelet removes it only when every process is dead
        foreach (var pid in pids) Assert.False(ProcFs.Alive(pid), $"pid {pid} of {before.Id} is dead when the delete returns");
        var line = sandbox.Output.Split('\n').Single(l => l.StartsWith($"sandbox: {before.Id} deleted through the API: killed pids", StringComparison.Ordinal));
        Log(line);
        Assert.All(pids, pid => Assert.Contains(pid.ToString(System.Globalization.CultureInfo.InvariantCulture), line, StringComparison.Ordinal));
        Assert.Contains("SIGKILL after the 1 s grace", line, StringComparison.Ordinal); // stopped: SIGTERM stayed pending

        NodeManifest? after = null;
        var newUid = "";
        Poll.Until(() =>
        {
            newUid = PodUid(region.Context, before.Pod);
            after = sandbox.Manifest().Regions[2].Nodes[0];
            return newUid.Length > 0 && newUid != oldUid
                   && after.FencePid != before.FencePid && after.AgentPid != before.AgentPid && after.NodePid != before.NodePid
                   && ProcFs.Alive(after.FencePid) && ProcFs.Alive(after.AgentPid) && ProcFs.Alive(after.NodePid)
                   && Get(after.AgentMetrics.Replace("/metrics", "/startup-status", StringComparison.Ordinal)) == 200;
        }, TimeSpan.FromSeconds(45), "the pod back with a new uid, new PIDs in sandbox.json and its agent started");
        Log($"uid {oldUid} -> {newUid}; fence {before.FencePid} -> {after!.FencePid}, agent {before.AgentPid} -> {after.AgentPid}, node {before.NodePid} -> {after.NodePid}");
        Assert.False(PromText.Forging(GetText(after.AgentMetrics)), $"{before.Id} starts again non-forging");
        Assert.Contains(PromText.Values(GetText(after.AgentMetrics), "cardano_forging_enabled"), v => v == 0);
    }

    private string PodUid(string context, string pod)
    {
        var get = Kubectl("--context", context, "get", "pod", pod, "-o", "jsonpath={.metadata.uid}");
        return get.Code == 0 ? get.Out.Trim() : "";
    }
}
