using Forge.NodeAgent.Config;

namespace Forge.NodeAgent.Credentials;

/// <summary>The latest inspection of the source Secret (re-read periodically: Secrets are updated in place), shared by
/// the registration (fingerprint) and the loop (eligibility).</summary>
internal sealed class CredentialWatch(CredentialSources sources)
{
    private volatile CredentialReport _current = CredentialInspector.Inspect(sources);

    public CredentialReport Current => _current;

    /// <summary>Inspects again; returns the new report and whether anything changed.</summary>
    public (CredentialReport Report, bool Changed) Refresh()
    {
        var next = CredentialInspector.Inspect(sources);
        var changed = next != _current;
        _current = next;
        return (next, changed);
    }
}
