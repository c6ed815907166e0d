namespace Forge.KubeApiEmulator.Storage;

/// <summary>Query options of a write: <c>dryRun=All</c> and <c>fieldValidation</c> (Strict, Warn, Ignore).</summary>
internal sealed record WriteOptions(bool DryRun, string? FieldValidation)
{
    public static WriteOptions Default { get; } = new(false, null);

    public bool Strict => string.Equals(FieldValidation, "Strict", StringComparison.OrdinalIgnoreCase);
}
