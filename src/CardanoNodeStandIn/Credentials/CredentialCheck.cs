namespace Forge.StandIn.Credentials;

/// <summary>What reading the three credential files gave, in the three classes cardano-node tells apart on SIGHUP.</summary>
internal abstract record CredentialCheck
{
    private CredentialCheck() { }

    /// <summary>All present and valid: forging can be on.</summary>
    public sealed record Valid(OperationalCertificate OpCert) : CredentialCheck;

    /// <summary>A file does not exist: the operator's way of switching forging off.</summary>
    public sealed record Missing(string Path) : CredentialCheck;

    /// <summary>Anything else (permissions, content): an error, and forging stays as it was.</summary>
    public sealed record Invalid(string Path, string Reason) : CredentialCheck;
}
