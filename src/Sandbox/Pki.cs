using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Forge.Transport;

namespace Forge.Sandbox;

/// <summary>
/// The sandbox's throwaway PKI, generated at every start (never reused, never logged): one CA; per coordinator a
/// certificate for Akka remoting (presented as TLS server and client, so both EKUs) and one for its agent gateway;
/// per node an agent client certificate. Files are 0600 (DevCertificates.WritePem).
/// </summary>
internal sealed class Pki : IDisposable
{
    private readonly X509Certificate2 _ca;

    public Pki(string directory)
    {
        Directory = directory;
        System.IO.Directory.CreateDirectory(directory);
        File.SetUnixFileMode(directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        _ca = DevCertificates.CreateCa("forge-sandbox-ca", TimeSpan.FromDays(7));
        CaPath = Path.Combine(directory, "ca.pem");
        DevCertificates.WritePem(_ca, CaPath);
    }

    public string Directory { get; }
    public string CaPath { get; }

    /// <summary>Akka remoting certificate (CN=forge-coordinator-NAME): cert and key paths.</summary>
    public (string Cert, string Key) Remoting(string name, string host = "127.0.0.1")
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var req = new CertificateRequest($"CN=forge-coordinator-{name}", key, HashAlgorithmName.SHA256);
        req.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        req.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        req.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([PeerValidation.ServerAuth, PeerValidation.ClientAuth], false));
        var san = new SubjectAlternativeNameBuilder();
        san.AddIpAddress(System.Net.IPAddress.Loopback);
        if (host != "127.0.0.1") san.AddIpAddress(System.Net.IPAddress.Parse(host)); // --region-netns
        san.AddDnsName("localhost");
        req.CertificateExtensions.Add(san.Build());
        req.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(req.PublicKey, false));
        var now = DateTimeOffset.UtcNow;
        var serial = RandomNumberGenerator.GetBytes(16);
        serial[0] &= 0x7f;
        using var signed = req.Create(_ca, now.AddMinutes(-5), _ca.NotAfter, serial);
        using var withKey = signed.CopyWithPrivateKey(key);
        return Write(withKey, $"remoting-{name}");
    }

    /// <summary>Agent gateway server certificate for 127.0.0.1/localhost (and the region's address with --region-netns).</summary>
    public (string Cert, string Key) Gateway(string name, string host = "127.0.0.1")
    {
        using var cert = DevCertificates.Issue(_ca, "forge-coordinator", server: true,
            host == "127.0.0.1" ? ["127.0.0.1", "localhost"] : ["127.0.0.1", "localhost", host], TimeSpan.FromDays(7));
        return Write(cert, $"gateway-{name}");
    }

    /// <summary>An agent's client certificate.</summary>
    public (string Cert, string Key) Agent(string name)
    {
        using var cert = DevCertificates.Issue(_ca, "forge-agent", server: false, null, TimeSpan.FromDays(7));
        return Write(cert, $"agent-{name}");
    }

    private (string Cert, string Key) Write(X509Certificate2 cert, string stem)
    {
        var c = Path.Combine(Directory, stem + ".pem");
        var k = Path.Combine(Directory, stem + ".key");
        DevCertificates.WritePem(cert, c, k);
        return (c, k);
    }

    public void Dispose() => _ca.Dispose();
}
