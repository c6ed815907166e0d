using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Forge.Transport;

/// <summary>
/// Validates the peer's certificate chain against the configured CA alone (custom root trust) and checks the extended
/// key usage its role needs: a coordinator presents a server certificate, an agent a client certificate.
/// </summary>
public static class PeerValidation
{
    public static readonly Oid ServerAuth = new("1.3.6.1.5.5.7.3.1");
    public static readonly Oid ClientAuth = new("1.3.6.1.5.5.7.3.2");

    public static bool IsTrusted(X509Certificate? peer, X509Certificate2 ca, Oid requiredUsage, out string reason)
    {
        if (peer is null)
        {
            reason = "the peer sent no certificate";
            return false;
        }
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(ca);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.ApplicationPolicy.Add(requiredUsage);
        var cert = peer as X509Certificate2 ?? X509CertificateLoader.LoadCertificate(peer.GetRawCertData());
        try
        {
            if (chain.Build(cert))
            {
                reason = "";
                return true;
            }
            reason = string.Join("; ", chain.ChainStatus.Select(s => s.StatusInformation.Trim()).Where(s => s.Length > 0));
            if (reason.Length == 0) reason = "untrusted chain";
            return false;
        }
        finally
        {
            if (!ReferenceEquals(cert, peer)) cert.Dispose();
        }
    }

    /// <summary>Client side: the server's chain must lead to the CA and its name must match the host dialled.</summary>
    public static RemoteCertificateValidationCallback ForServer(X509Certificate2 ca, Action<string>? onRefused = null) =>
        (_, cert, _, errors) =>
        {
            if ((errors & SslPolicyErrors.RemoteCertificateNameMismatch) != 0)
            {
                onRefused?.Invoke("server certificate does not name the host dialled");
                return false;
            }
            if (IsTrusted(cert, ca, ServerAuth, out var reason)) return true;
            onRefused?.Invoke($"server certificate refused: {reason}");
            return false;
        };

    /// <summary>Server side: a client certificate is required and must chain to the CA.</summary>
    public static RemoteCertificateValidationCallback ForClient(X509Certificate2 ca, Action<string>? onRefused = null) =>
        (_, cert, _, _) =>
        {
            if (IsTrusted(cert, ca, ClientAuth, out var reason)) return true;
            onRefused?.Invoke($"client certificate refused: {reason}");
            return false;
        };
}
