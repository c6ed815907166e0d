using System.Security.Cryptography.X509Certificates;
using Akka.Actor.Setup;
using Akka.Remote.Transport.DotNetty;

namespace Forge.Cluster;

/// <summary>What <see cref="RemoteTlsTransport"/> presents and whom it accepts: this coordinator's certificate (with its
/// key; presented as TLS server and as TLS client) and the validator run on every handshake, both directions
/// (<see cref="RemoteTlsSettings.Validator"/>). Passed to the ActorSystem as a setup, so keys never go through HOCON.</summary>
public sealed class RemoteTlsSetup : Setup
{
    public RemoteTlsSetup(X509Certificate2 certificate, CertificateValidationCallback validator)
    {
        if (!certificate.HasPrivateKey) throw new ArgumentException("the coordinator certificate has no private key", nameof(certificate));
        Certificate = certificate;
        Validator = validator;
    }

    public X509Certificate2 Certificate { get; }
    public CertificateValidationCallback Validator { get; }
}
