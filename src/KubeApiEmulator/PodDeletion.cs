namespace Forge.KubeApiEmulator;

/// <summary>What the API asks a pod's kubelet to do: end every process of pod <paramref name="Uid"/> (SIGTERM, then
/// SIGKILL once <paramref name="Grace"/> has passed).</summary>
public sealed record PodDeletion(string Namespace, string Name, string Uid, TimeSpan Grace);

/// <summary>
/// The host's kubelet for a registered pod: the returned task completes only when every process of the pod has
/// exited. The emulator removes the Pod object then (the DELETED event is the caller's confirmation); a task that
/// fails leaves the pod Terminating, as a pod whose kubelet is gone stays on a real cluster.
/// </summary>
public delegate Task PodKubelet(PodDeletion deletion);
