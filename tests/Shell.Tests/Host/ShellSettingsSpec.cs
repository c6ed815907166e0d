using System.Net;
using Akka.Configuration;
using Forge.Shell.Host;
using Xunit;

namespace Forge.Shell.Tests.Host;

public class ShellSettingsSpec
{
    [Fact]
    public void Defaults_from_hocon_shell_conf()
    {
        var fromFile = ShellSettings.FromConfig(ConfigurationFactory.ParseString(File.ReadAllText("hocon/shell.conf")));
        var embedded = ShellSettings.FromConfig(ConfigurationFactory.Empty);
        foreach (var s in new[] { fromFile, embedded })
        {
            Assert.True(s.Enabled);
            Assert.Equal(IPAddress.Loopback, s.Address);
            Assert.Equal(9110, s.Port);
            Assert.Null(s.TokenFile);
            Assert.Equal(16, s.MaxConnections);
            Assert.Equal(TimeSpan.FromSeconds(5), s.HandshakeTimeout);
            Assert.Equal(TimeSpan.FromSeconds(15), s.Timeouts.Query);
            Assert.Equal(TimeSpan.FromSeconds(60), s.Timeouts.Change);
        }
    }

    [Theory]
    [InlineData("forge.shell.host = \"localhost\"", "forge.shell.host 'localhost' is not an IP address")]
    [InlineData("forge.shell.port = 70000", "forge.shell.port 70000 is out of range")]
    [InlineData("forge.shell.host = \"10.0.0.5\"", "set forge.shell.token-file")]
    [InlineData("forge.shell.change-timeout = 0s", "forge.shell.change-timeout must be positive")]
    public void Bad_settings_name_the_setting(string hocon, string message)
    {
        var e = Assert.Throws<ArgumentException>(() => ShellSettings.FromConfig(ConfigurationFactory.ParseString(hocon)));
        Assert.Contains(message, e.Message);
    }
}
