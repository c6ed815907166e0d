using System.Security.Cryptography.X509Certificates;

namespace Forge.Transport;

/// <summary>
/// Where one side of the agent link finds its PEM files: its own certificate and key, and the CA that signs every peer.
/// Peers are validated against that CA only, never the system store, so a certificate from any other CA is refused.
/// </summary>
public sealed record TlsSettings
{
    public TlsSettings(string caCertPath, string certPath, string keyPath)
    {
        CaCertPath = Require(caCertPath, nameof(caCertPath));
        CertPath = Require(certPath, nameof(certPath));
        KeyPath = Require(keyPath, nameof(keyPath));
    }

    public string CaCertPath { get; }
    public string CertPath { get; }
    public string KeyPath { get; }

    /// <summary>Loads the three files; a missing or unreadable file fails with a message naming its path.</summary>
    public LoadedTls Load()
    {
        X509Certificate2 ca, own;
        try
        {
            ca = X509CertificateLoader.LoadCertificateFromFile(CaCertPath);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or System.Security.Cryptography.CryptographicException)
        {
            throw new InvalidOperationException($"cannot load the CA certificate '{CaCertPath}': {e.Message}", e);
        }
        try
        {
            using var pem = X509Certificate2.CreateFromPemFile(CertPath, KeyPath);
            // Re-import as PKCS#12 so the private key is usable by SslStream on every platform.
            own = X509CertificateLoader.LoadPkcs12(pem.Export(X509ContentType.Pkcs12), null);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or System.Security.Cryptography.CryptographicException)
        {
            ca.Dispose();
            throw new InvalidOperationException($"cannot load the certificate '{CertPath}' with key '{KeyPath}': {e.Message}", e);
        }
        return new LoadedTls(ca, own);
    }

    private static string Require(string value, string name) =>
        string.IsNullOrWhiteSpace(value) ? throw new ArgumentException($"{name} is required", name) : value;
}

/// <summary>The loaded CA and own certificate (with private key) of one side.</summary>
public sealed class LoadedTls(X509Certificate2 ca, X509Certificate2 own) : IDisposable
{
    public X509Certificate2 Ca { get; } = ca;
    public X509Certificate2 Own { get; } = own;

    public void Dispose()
    {
        Ca.Dispose();
        Own.Dispose();
    }
}
