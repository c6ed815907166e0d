using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Akka.Actor;
using Akka.Event;
using Forge.Cluster;
using Google.Protobuf;
using Xunit;

namespace Forge.Tests.Cluster;

/// <summary>The coordinators' TLS association over a real loopback TLS connection whose peer stops reading.</summary>
public sealed class RemoteTlsAssociationOutboxTests
{
    private const long Limit = 256 * 1024;
    private static readonly ByteString Payload = ByteString.CopyFrom(new byte[32 * 1024]);

    [Fact]
    public async Task A_peer_that_does_not_read_gets_writes_refused_at_the_outbox_limit_and_accepted_again_once_it_reads()
    {
        using var cert = SelfSigned();
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var accepting = listener.AcceptTcpClientAsync();
        using var client = new TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, ((IPEndPoint)listener.LocalEndpoint).Port);
        using var server = await accepting;
        var serverSsl = new SslStream(server.GetStream());
        var clientSsl = new SslStream(client.GetStream(), false,
            (_, presented, _, _) => presented?.GetCertHashString() == cert.GetCertHashString()); // pinned: the test's own certificate
        await Task.WhenAll(serverSsl.AuthenticateAsServerAsync(cert), clientSsl.AuthenticateAsClientAsync("localhost"));

        var settings = new RemoteTlsTransportSettings("127.0.0.1", "127.0.0.1", 0, null, 128000, TimeSpan.FromSeconds(5), true, 16)
            { OutboxLimit = Limit };
        var association = new RemoteTlsAssociation(new Address("akka.ssl.tcp", "a", "127.0.0.1", 1),
            new Address("akka.ssl.tcp", "b", "127.0.0.1", 2), clientSsl, settings, NoLogger.Instance, _ => { });
        try
        {
            // The peer reads nothing: once the kernel's buffers are full the queue grows to the limit, then writes are refused.
            var accepted = 0L;
            while (association.Write(Payload))
            {
                accepted += Payload.Length;
                Assert.True(accepted < 512L * 1024 * 1024, "no write was refused after 512 MiB");
                Assert.True(association.QueuedBytes < Limit + Payload.Length, $"{association.QueuedBytes} bytes queued");
                if (association.QueuedBytes >= Limit / 2) await Task.Yield(); // let the write loop fill the socket
            }
            Assert.InRange(association.QueuedBytes, Limit, Limit + Payload.Length - 1);

            // The peer reads again: the queue drains and writes are accepted again.
            using var drain = new CancellationTokenSource();
            var reading = Task.Run(async () =>
            {
                var buffer = new byte[64 * 1024];
                while (!drain.IsCancellationRequested && await serverSsl.ReadAsync(buffer, drain.Token) > 0) { }
            });
            var deadline = DateTime.UtcNow.AddSeconds(10);
            while (!association.Write(Payload))
            {
                Assert.True(DateTime.UtcNow < deadline, $"writes still refused 10 s after the peer began reading ({association.QueuedBytes} bytes queued)");
                await Task.Delay(10);
            }
            drain.Cancel();
        }
        finally
        {
            association.Abort();
            serverSsl.Dispose();
        }
    }

    private static X509Certificate2 SelfSigned()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=localhost", key, HashAlgorithmName.SHA256);
        using var cert = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-1), DateTimeOffset.UtcNow.AddHours(1));
        return X509CertificateLoader.LoadPkcs12(cert.Export(X509ContentType.Pkcs12), null); // with its key usable by SslStream
    }
}
