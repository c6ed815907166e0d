namespace Forge.NodeAgent.Config;

/// <summary>
/// Where the mounted Secret's credentials are: SOURCE_KES_KEY / SOURCE_VRF_KEY / SOURCE_OP_CERT, or a SOURCE_DIR holding
/// kes.skey, vrf.skey and node.cert (the fence reads the same directory). The agent only ever reads the opcert (public),
/// to fingerprint it; it checks the keys exist and are not readable by others, and never reads their content.
/// </summary>
internal sealed record CredentialSources(string KesKey, string VrfKey, string OpCert)
{
    public static CredentialSources Load(EnvReader env)
    {
        var dir = env.String("SOURCE_DIR", "/secrets/forging");
        return new CredentialSources(
            env.String("SOURCE_KES_KEY", Path.Combine(dir, "kes.skey")),
            env.String("SOURCE_VRF_KEY", Path.Combine(dir, "vrf.skey")),
            env.String("SOURCE_OP_CERT", Path.Combine(dir, "node.cert")));
    }
}

/// <summary>TARGET_* paths: where the node reads its credentials (the fence installs and removes them there). The agent
/// only reports whether anything is present, for status.</summary>
internal sealed record CredentialTargets(string KesKey, string VrfKey, string OpCert)
{
    public static CredentialTargets Load(EnvReader env)
    {
        var dir = env.String("TARGET_DIR", "/opt/cardano/secrets");
        return new CredentialTargets(
            env.String("TARGET_KES_KEY", Path.Combine(dir, "kes.skey")),
            env.String("TARGET_VRF_KEY", Path.Combine(dir, "vrf.skey")),
            env.String("TARGET_OP_CERT", Path.Combine(dir, "node.cert")));
    }
}
