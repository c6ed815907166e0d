using Akka.Configuration;
using Xunit;

namespace Forge.Grants.Tests;

public class GrantSettingsSpec
{
    private static Config Defaults => ConfigurationFactory.ParseString(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "hocon", "grants.conf")));

    [Fact]
    public void Defaults_from_grants_conf()
    {
        var s = GrantSettings.FromConfig(Defaults);
        Assert.Equal(new[] { "us-east-1", "us-west-2", "eu-west-1" }, s.Regions.ToArray());
        Assert.Equal(2, s.Majority);
        Assert.Equal(TimeSpan.FromSeconds(5), s.Ttl);
        Assert.Equal(TimeSpan.FromSeconds(30), s.MaxTtl);
        Assert.Equal(TimeSpan.FromMilliseconds(500), s.Timing.MinimumMargin);
        Assert.Equal(100_000, s.Timing.DriftBoundPpm);
        Assert.Equal(TimeSpan.FromMilliseconds(20), s.BatchInterval);
        Assert.Equal(TimeSpan.FromSeconds(2), s.RoundTimeout);
        Assert.Equal(TimeSpan.FromSeconds(1), s.FailoverProposalTimeout);
        Assert.Equal(0.5, s.FailoverQuietFraction);
        Assert.Equal(TimeSpan.FromSeconds(2.5), s.QuietAfter(s.Ttl));
        Assert.Equal("/var/lib/forge-coordinator/grants", s.DataDirectory);
    }

    [Fact]
    public void Margin_covers_drift_times_ttl_for_every_ttl()
    {
        var t = GrantSettings.FromConfig(Defaults).Timing;
        Assert.Equal(TimeSpan.FromMilliseconds(500), t.MarginFor(TimeSpan.FromSeconds(5)));
        Assert.Equal(TimeSpan.FromMilliseconds(1500), t.MarginFor(TimeSpan.FromSeconds(15)));
        Assert.Equal(TimeSpan.FromMilliseconds(500), t.MarginFor(TimeSpan.FromSeconds(1)));
    }

    [Theory]
    [InlineData("regions = [\"a\", \"b\"]", "odd count")]
    [InlineData("regions = [\"a\", \"a\", \"b\"]", "must not repeat")]
    [InlineData("regions = []", "must list")]
    [InlineData("ttl = 400ms", "must exceed its margin")]
    [InlineData("max-ttl = 1s", "max-ttl")]
    [InlineData("batch-interval = 1s", "batch-interval")]
    [InlineData("round-timeout = 6s", "round-timeout")]
    [InlineData("drift-bound-ppm = 600000", "drift-bound-ppm")]
    [InlineData("data-directory = \"\"", "data-directory")]
    public void Bad_settings_fail_naming_the_setting(string overrideText, string expected)
    {
        var config = ConfigurationFactory.ParseString("forge.grants { " + overrideText + " }").WithFallback(Defaults);
        var e = Assert.Throws<ArgumentException>(() => GrantSettings.FromConfig(config));
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
    }
}
