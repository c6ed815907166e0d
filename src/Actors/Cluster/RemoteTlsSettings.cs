using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using Akka.Configuration;
using Akka.Event;
using Akka.Remote.Transport.DotNetty;

namespace Forge.Cluster;

/// <summary>
/// TLS between coordinators (hocon: <c>forge.cluster.tls</c>). <see cref="RemoteTlsTransport"/> does the TLS (not Akka's
/// DotNetty transport, which exits the process on a failed outbound handshake); this builds its <see cref="RemoteTlsSetup"/>:
/// <list type="bullet">
/// <item>own certificate + key from PEM files (the same certificate is presented as server and as client);</item>
/// <item><c>require-mutual-authentication = true</c>: the accepting side demands a client certificate;</item>
/// <item>a custom validator, run on both sides of every handshake, that accepts a peer only if its chain leads to the
/// configured CA (custom root trust, never the system store) and, if set, its subject matches <c>peer-subject-prefix</c>.</item>
/// </list>
/// Hostnames are not checked (coordinators dial each other by StatefulSet DNS names or IPs; identity is "signed by
/// our CA"). Not covered: revocation (no CRL/OCSP), and binding a certificate to the Akka address it speaks for —
/// any holder of a CA-signed coordinator certificate can join as any address.
/// </summary>
public sealed record RemoteTlsSettings
{
    public const string Section = "forge.cluster.tls";

    public RemoteTlsSettings(bool enabled, string caPath, string certPath, string keyPath, string peerSubjectPrefix)
    {
        if (enabled)
        {
            if (string.IsNullOrWhiteSpace(caPath)) throw new ArgumentException($"{Section}.ca-path is required when {Section}.enabled = on");
            if (string.IsNullOrWhiteSpace(certPath)) throw new ArgumentException($"{Section}.cert-path is required when {Section}.enabled = on");
            if (string.IsNullOrWhiteSpace(keyPath)) throw new ArgumentException($"{Section}.key-path is required when {Section}.enabled = on");
        }
        Enabled = enabled;
        CaPath = caPath;
        CertPath = certPath;
        KeyPath = keyPath;
        PeerSubjectPrefix = peerSubjectPrefix;
    }

    public bool Enabled { get; }
    public string CaPath { get; }
    public string CertPath { get; }
    public string KeyPath { get; }
    /// <summary>When not empty, a peer certificate's subject must start with this (e.g. "CN=forge-coordinator").</summary>
    public string PeerSubjectPrefix { get; }

    public static RemoteTlsSettings FromConfig(Config config)
    {
        var c = config.GetConfig(Section);
        if (c is null || c.IsEmpty) return new RemoteTlsSettings(false, "", "", "", "");
        return new RemoteTlsSettings(
            c.GetBoolean("enabled", false),
            c.GetString("ca-path", "") ?? "",
            c.GetString("cert-path", "") ?? "",
            c.GetString("key-path", "") ?? "",
            c.GetString("peer-subject-prefix", "") ?? "");
    }

    /// <summary>The setup for <see cref="RemoteTlsTransport"/>, the coordinators' transport. Loads the files; a missing or
    /// unreadable file fails with a message naming the setting and path.</summary>
    public RemoteTlsSetup CreateTransportSetup()
    {
        var (ca, own) = Load();
        return new RemoteTlsSetup(own, Validator(ca, PeerSubjectPrefix));
    }

    /// <summary>The same certificate and validator for Akka's own DotNetty transport (<c>enable-ssl</c>), which earlier builds
    /// used: kept for the tests that show the two transports interoperate (a rolling upgrade). The host does not use it:
    /// Akka's transport exits the process on a failed outbound handshake (<see cref="RemoteTlsTransport"/>).</summary>
    public DotNettySslSetup CreateSetup()
    {
        var (ca, own) = Load();
        return new DotNettySslSetup(own, suppressValidation: false, requireMutualAuthentication: true,
            validateCertificateHostname: false, customValidator: Validator(ca, PeerSubjectPrefix));
    }

    private (X509Certificate2 Ca, X509Certificate2 Own) Load()
    {
        if (!Enabled) throw new InvalidOperationException($"{Section}.enabled is off");
        X509Certificate2 ca;
        try
        {
            ca = X509CertificateLoader.LoadCertificateFromFile(CaPath);
        }
        catch (Exception e)
        {
            throw new ArgumentException($"{Section}.ca-path: cannot load '{CaPath}': {e.Message}", e);
        }
        try
        {
            using var pem = X509Certificate2.CreateFromPemFile(CertPath, KeyPath);
            return (ca, X509CertificateLoader.LoadPkcs12(pem.Export(X509ContentType.Pkcs12), null));
        }
        catch (Exception e)
        {
            throw new ArgumentException($"{Section}.cert-path/key-path: cannot load '{CertPath}' with '{KeyPath}': {e.Message}", e);
        }
    }

    /// <summary>Accepts a peer whose chain leads to <paramref name="ca"/> (and whose subject starts with the prefix).</summary>
    public static CertificateValidationCallback Validator(X509Certificate2 ca, string subjectPrefix) =>
        (cert, _, peer, _, log) =>
        {
            if (cert is null)
            {
                log.Warning("TLS: refused {0}: no certificate presented", peer);
                return false;
            }
            using var chain = new X509Chain();
            chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
            chain.ChainPolicy.CustomTrustStore.Add(ca);
            chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
            if (!chain.Build(cert))
            {
                var why = string.Join("; ", chain.ChainStatus.Select(s => s.StatusInformation.Trim()).Where(s => s.Length > 0));
                log.Warning("TLS: refused {0} ({1}): not signed by the configured CA: {2}", peer, cert.Subject, why);
                return false;
            }
            if (subjectPrefix.Length > 0 && !cert.Subject.StartsWith(subjectPrefix, StringComparison.Ordinal))
            {
                log.Warning("TLS: refused {0}: subject '{1}' does not start with '{2}'", peer, cert.Subject, subjectPrefix);
                return false;
            }
            return true;
        };

}
