using System.Collections.Concurrent;
using System.Collections.Immutable;
using Forge.KubeApiEmulator;

namespace Forge.Kubernetes.Tests.Support;

/// <summary>
/// A host's kubelet for tests: records every deletion it is asked for, "kills" the pod when the test releases it
/// (or at once), then registers the pod again as a StatefulSet would recreate it. <see cref="Fail"/> makes the kill fail.
/// </summary>
public sealed class TestKubelet
{
    private readonly KubeApiEmulatorServer _server;
    private TaskCompletionSource _release = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public TestKubelet(KubeApiEmulatorServer server, bool holdKills = false)
    {
        _server = server;
        if (!holdKills)
        {
            _release.SetResult();
        }
    }

    public ConcurrentQueue<PodDeletion> Deletions { get; } = new();

    public bool Fail { get; set; }

    /// <summary>Lets the held kills finish (their pods' processes are "dead" from now on).</summary>
    public void Release() => _release.TrySetResult();

    public void Register(string name) => _server.RegisterPod(Pod(name));

    public PodRegistration Pod(string name) => new(
        name, ImmutableDictionary<string, string>.Empty.Add("app", "deletable"), [new PodContainer("forge-manager", "/dev/null")],
        StatefulSet: "deletable", Kubelet: KillAsync);

    private async Task KillAsync(PodDeletion deletion)
    {
        Deletions.Enqueue(deletion);
        await _release.Task;
        if (Fail)
        {
            throw new InvalidOperationException($"could not kill {deletion.Name}");
        }

        Register(deletion.Name); // the StatefulSet recreates it: held back by the emulator until the old object is gone
    }
}
