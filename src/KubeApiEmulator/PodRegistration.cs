using System.Collections.Immutable;

namespace Forge.KubeApiEmulator;

/// <summary>A container of a registered pod; <c>kubectl logs</c> reads <paramref name="LogPath"/>.</summary>
public sealed record PodContainer(string Name, string LogPath, string Image = "forge-agent:dev");

/// <summary>
/// A process the host runs that should look like a pod to kubectl (<c>get pods</c>, <c>logs</c>). With
/// <see cref="StatefulSet"/> set, the emulator also serves a read-only StatefulSet of that name whose
/// selector is <see cref="Labels"/>, so <c>kubectl logs statefulset/NAME</c> resolves to these pods. With
/// <see cref="Kubelet"/> set the pod can be deleted through the API (the kubelet kills its processes); without one
/// a DELETE is refused (405): nothing could kill it.
/// </summary>
public sealed record PodRegistration(
    string Name,
    ImmutableDictionary<string, string> Labels,
    ImmutableArray<PodContainer> Containers,
    string? StatefulSet = null,
    string Namespace = "cardano",
    bool Ready = true,
    PodKubelet? Kubelet = null);
