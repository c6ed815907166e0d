using Forge.Kubernetes;

namespace Forge.Shell.Palettes.Forge;

/// <summary>
/// <see cref="IForgeSpecWriter"/> through the CRD projection's Kubernetes API (<see cref="IForgeClusterApi"/>, the one
/// class that owns KubernetesClient): the same merge patch as <c>kubectl patch cardanoforgecluster NAME --type=merge</c>.
/// The projection then sees the change like any operator edit, the arbiter orders it, and the CRDs show the result.
/// </summary>
public sealed class ClusterApiSpecWriter(IForgeClusterApi api) : IForgeSpecWriter
{
    public async Task PatchAsync(ForgeSpecPatch patch, CancellationToken ct)
    {
        try
        {
            await api.PatchSpecAsync(patch.Cluster, patch.ToSpecMergePatch(), ct).ConfigureAwait(false);
        }
        catch (KubeApiException e)
        {
            throw new ForgeSpecWriteException(e.Error switch
            {
                KubeApiError.NotFound => $"cardanoforgeclusters.cardano.io \"{patch.Cluster}\" not found",
                KubeApiError.Invalid => $"invalid: {e.Message}",
                _ => e.Message,
            }, e);
        }
    }
}
