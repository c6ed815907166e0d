using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Forge.Transport;

/// <summary>
/// Throwaway PKI for tests and the sandbox: a CA, server certificates (serverAuth, DNS/IP names) and client certificates
/// (clientAuth). ECDSA P-256 keeps generation fast. Files are written 0600 from creation, never widened afterwards.
/// </summary>
public static class DevCertificates
{
    public static X509Certificate2 CreateCa(string commonName, TimeSpan? lifetime = null)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var req = new CertificateRequest($"CN={commonName}", key, HashAlgorithmName.SHA256);
        req.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, true, 1, true));
        req.CertificateExtensions.Add(new X509KeyUsageExtension(
            X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign | X509KeyUsageFlags.DigitalSignature, true));
        req.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(req.PublicKey, false));
        var now = DateTimeOffset.UtcNow;
        return req.CreateSelfSigned(now.AddMinutes(-5), now.Add(lifetime ?? TimeSpan.FromDays(30)));
    }

    /// <summary>A certificate signed by <paramref name="ca"/>; <paramref name="names"/> become DNS or IP SANs.</summary>
    public static X509Certificate2 Issue(X509Certificate2 ca, string commonName, bool server, IEnumerable<string>? names = null,
        TimeSpan? lifetime = null)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var req = new CertificateRequest($"CN={commonName}", key, HashAlgorithmName.SHA256);
        req.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        req.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        req.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(
            [server ? PeerValidation.ServerAuth : PeerValidation.ClientAuth], false));
        var san = new SubjectAlternativeNameBuilder();
        foreach (var name in names ?? [commonName])
        {
            if (IPAddress.TryParse(name, out var ip)) san.AddIpAddress(ip);
            else san.AddDnsName(name);
        }
        req.CertificateExtensions.Add(san.Build());
        req.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(req.PublicKey, false));
        var now = DateTimeOffset.UtcNow;
        var notAfter = now.Add(lifetime ?? TimeSpan.FromDays(30));
        if (notAfter > ca.NotAfter) notAfter = ca.NotAfter;
        var serial = RandomNumberGenerator.GetBytes(16);
        serial[0] &= 0x7f;
        using var signed = req.Create(ca, now.AddMinutes(-5), notAfter, serial);
        return signed.CopyWithPrivateKey(key);
    }

    /// <summary>Writes the certificate PEM (and its private key, if any) as 0600 files.</summary>
    public static void WritePem(X509Certificate2 cert, string certPath, string? keyPath = null)
    {
        WriteSecret(certPath, cert.ExportCertificatePem() + "\n");
        if (keyPath is null) return;
        using var key = cert.GetECDsaPrivateKey() ?? throw new InvalidOperationException("certificate has no ECDSA private key");
        WriteSecret(keyPath, key.ExportPkcs8PrivateKeyPem() + "\n");
    }

    /// <summary>Creates ca.pem, server.pem/server.key (for <paramref name="serverNames"/>) and client.pem/client.key.</summary>
    public static DevPkiPaths CreateSet(string directory, IEnumerable<string>? serverNames = null, string clientName = "forge-agent")
    {
        Directory.CreateDirectory(directory);
        var p = new DevPkiPaths(directory);
        using var ca = CreateCa("forge-dev-ca");
        using var server = Issue(ca, "forge-coordinator", server: true, serverNames ?? ["localhost", "127.0.0.1", "::1"]);
        using var client = Issue(ca, clientName, server: false);
        WritePem(ca, p.CaCert);
        WritePem(server, p.ServerCert, p.ServerKey);
        WritePem(client, p.ClientCert, p.ClientKey);
        return p;
    }

    private static void WriteSecret(string path, string text)
    {
        var tmp = path + ".tmp";
        var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows()) options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        File.Delete(tmp);
        using (var f = new StreamWriter(tmp, System.Text.Encoding.ASCII, options)) f.Write(text);
        File.Move(tmp, path, overwrite: true);
    }
}

/// <summary>File names of a <see cref="DevCertificates.CreateSet"/> directory.</summary>
public sealed record DevPkiPaths(string Directory)
{
    public string CaCert => Path.Combine(Directory, "ca.pem");
    public string ServerCert => Path.Combine(Directory, "server.pem");
    public string ServerKey => Path.Combine(Directory, "server.key");
    public string ClientCert => Path.Combine(Directory, "client.pem");
    public string ClientKey => Path.Combine(Directory, "client.key");

    public TlsSettings Server => new(CaCert, ServerCert, ServerKey);
    public TlsSettings Client => new(CaCert, ClientCert, ClientKey);
}
