namespace Forge.Shell.Palettes.Forge;

/// <summary>
/// Applies an operator's change to a CardanoForgeCluster spec through the same path as
/// <c>kubectl patch cardanoforgecluster NAME --type=merge -p BODY</c> with <see cref="ForgeSpecPatch.ToMergePatchJson"/>
/// as BODY: the CRD projection sees the change and the arbiter orders it with every other edit. The coordinator
/// provides the implementation (its KubernetesClient wrapper, or the projection's own writer).
/// </summary>
public interface IForgeSpecWriter
{
    /// <exception cref="ForgeSpecWriteException">The write was refused (not found, invalid, conflict, no permission).</exception>
    Task PatchAsync(ForgeSpecPatch patch, CancellationToken ct);
}

/// <summary>The patch was not applied; the message is shown to the operator as is.</summary>
public sealed class ForgeSpecWriteException(string message, Exception? inner = null) : Exception(message, inner);
