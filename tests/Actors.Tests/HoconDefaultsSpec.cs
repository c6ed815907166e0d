using Akka.Configuration;
using Forge.Decider;
using Xunit;

namespace Forge.Tests;

/// <summary>The commented files in hocon/ hold every default; this spec pins the ones of the foundation.</summary>
public sealed class HoconDefaultsSpec
{
    private static Config Load(string file) =>
        ConfigurationFactory.ParseString(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "hocon", file)));

    [Fact]
    public void Decider_defaults()
    {
        var s = DeciderSettings.FromConfig(Load("forge-decider.conf"));
        Assert.Equal(TimeSpan.FromSeconds(60), s.FailbackDelay);
        Assert.Equal(TimeSpan.FromMinutes(16), s.FailbackDelayMax);
        Assert.Equal(TimeSpan.FromHours(1), s.FlapWindow);
        Assert.Equal(10, s.SyncedMaxLagSlots);
        Assert.Equal(DeciderSettings.Default, s);
    }

    [Fact]
    public void Bad_decider_settings_fail_with_the_setting_named()
    {
        var bad = ConfigurationFactory.ParseString("forge.decider.failback-delay-max = 1s").WithFallback(Load("forge-decider.conf"));
        var e = Assert.Throws<ArgumentException>(() => DeciderSettings.FromConfig(bad));
        Assert.Contains("forge.decider.failback-delay-max", e.Message);
    }

    [Fact]
    public void Serialization_binds_the_wire_marker_to_the_forge_serializer()
    {
        var c = Load("serialization.conf");
        Assert.Equal("forge-wire", c.GetString("akka.actor.serialization-bindings.\"Forge.Protocol.IForgeWireMessage, Forge.Actors\""));
        Assert.Equal(7411, c.GetInt("akka.actor.serialization-identifiers.\"Forge.Protocol.ForgeWireSerializer, Forge.Actors\""));
    }
}
