using Akka.Actor;
using Akka.Configuration;
using Forge.Cluster;
using Xunit;

namespace Forge.Coordinator.Tests.Cluster;

/// <summary>The TLS transport reads the socket keys of Akka's transport section unless its own sets them (so the canonical
/// address is the one Akka's transport would announce), and refuses to start without its certificate setup.</summary>
public sealed class RemoteTlsTransportSettingsSpec
{
    private static Config System(string dotNetty) => ConfigurationFactory.ParseString($"akka.remote.dot-netty.tcp {{ {dotNetty} }}");

    [Fact]
    public void Socket_keys_come_from_akkas_transport_section()
    {
        var s = RemoteTlsTransportSettings.From(Config.Empty,
            System("hostname = 10.0.0.5, public-hostname = coord-0.forge, port = 4053, maximum-frame-size = 1024000b"));
        Assert.Equal(("10.0.0.5", "coord-0.forge", 4053, (int?)null, 1024000), (s.Hostname, s.PublicHostname, s.Port, s.PublicPort, s.MaxFrameSize));
        Assert.Equal("coord-0.forge", s.AddressHost);
        Assert.Equal(TimeSpan.FromSeconds(15), s.ConnectTimeout);
        Assert.True(s.LittleEndian);
    }

    [Fact]
    public void Its_own_section_wins_and_addresses_follow_akkas_rules()
    {
        var own = ConfigurationFactory.ParseString("connection-timeout = 2s, byte-order = big-endian, public-port = 443");
        var s = RemoteTlsTransportSettings.From(own, System("hostname = \"::1\", port = 0"));
        Assert.Equal((TimeSpan.FromSeconds(2), false, (int?)443), (s.ConnectTimeout, s.LittleEndian, s.PublicPort));
        Assert.Equal("[::1]", s.AddressHost); // no public-hostname: the hostname, IPv6 in brackets
        Assert.Equal("0.0.0.0", RemoteTlsTransportSettings.From(Config.Empty, System("port = 1")).AddressHost); // as Akka's transport
    }

    [Theory]
    [InlineData("maximum-frame-size = 1000b", "maximum-frame-size")]
    [InlineData("byte-order = middle-endian", "byte-order")]
    public void Bad_values_are_refused_naming_the_key(string dotNetty, string key)
    {
        var e = Assert.Throws<ConfigurationException>(() => RemoteTlsTransportSettings.From(Config.Empty, System(dotNetty)));
        Assert.Contains(key, e.Message);
    }

    [Fact]
    public void The_outbox_limit_defaults_to_4_MiB_and_may_not_be_below_the_frame_size()
    {
        Assert.Equal(4L * 1024 * 1024, RemoteTlsTransportSettings.From(Config.Empty, System("port = 1")).OutboxLimit);
        var own = ConfigurationFactory.ParseString("outbox-limit = 1MiB");
        Assert.Equal(1024L * 1024, RemoteTlsTransportSettings.From(own, System("port = 1")).OutboxLimit);
        var tooSmall = ConfigurationFactory.ParseString("outbox-limit = 64KiB");
        var e = Assert.Throws<ConfigurationException>(() => RemoteTlsTransportSettings.From(tooSmall, System("maximum-frame-size = 1024000b")));
        Assert.Contains("outbox-limit", e.Message);
    }

    [Fact]
    public void Without_its_certificate_setup_remoting_does_not_start()
    {
        var config = ConfigurationFactory.ParseString(RemoteTlsTransport.EnableHocon + """

            akka.actor.provider = remote
            akka.loglevel = OFF
            akka.stdout-loglevel = OFF
            akka.remote.forge-tls.transport-class = "Forge.Cluster.RemoteTlsTransport, Forge.Actors"
            akka.remote.dot-netty.tcp { hostname = 127.0.0.1, port = 0 }
            akka.coordinated-shutdown { exit-clr = off, run-by-clr-shutdown-hook = off }
            """);
        var e = Assert.ThrowsAny<Exception>(() => ActorSystem.Create("forge", config).Terminate().Wait());
        Assert.Contains(nameof(RemoteTlsSetup), e.ToString());
    }
}
