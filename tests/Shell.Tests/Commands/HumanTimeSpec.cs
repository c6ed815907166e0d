using Forge.Shell.Commands;
using Xunit;

namespace Forge.Shell.Tests.Commands;

public class HumanTimeSpec
{
    [Theory]
    [InlineData(45, "45s")]
    [InlineData(119, "119s")]
    [InlineData(330, "5m30s")]
    [InlineData(600, "10m")]
    [InlineData(3 * 3600 + 120, "3h2m")]
    [InlineData(20 * 3600, "20h")]
    [InlineData(2 * 86400, "2d")]
    [InlineData(2 * 86400 + 5 * 3600, "2d5h")]
    [InlineData(40 * 86400, "40d")]
    public void Age_reads_like_kubectl(int seconds, string expected) =>
        Assert.Equal(expected, HumanTime.Age(TimeSpan.FromSeconds(seconds)));

    [Theory]
    [InlineData("4h", 4 * 3600)]
    [InlineData("+4h", 4 * 3600)]
    [InlineData("1h30m", 5400)]
    [InlineData("90s", 90)]
    [InlineData("2026-11-27T14:00:00Z", 4 * 3600)]
    [InlineData("2026-11-27T15:00:00+01:00", 4 * 3600)]
    public void Expiry_is_a_duration_from_now_or_an_RFC3339_time(string text, int secondsFromNow)
    {
        var now = new DateTimeOffset(2026, 11, 27, 10, 0, 0, TimeSpan.Zero);
        Assert.True(HumanTime.TryParseExpiry(text, now, out var at, out var error), error);
        Assert.Equal(now.AddSeconds(secondsFromNow), at);
    }

    [Theory]
    [InlineData("tomorrow", "RFC 3339")]
    [InlineData("4x", "RFC 3339")]
    [InlineData("2026-11-27T14:00:00", "RFC 3339")]
    [InlineData("2026-11-27T09:00:00Z", "not in the future")]
    public void Bad_expiries_say_what_is_expected(string text, string hint)
    {
        var now = new DateTimeOffset(2026, 11, 27, 10, 0, 0, TimeSpan.Zero);
        Assert.False(HumanTime.TryParseExpiry(text, now, out _, out var error));
        Assert.Contains(hint, error);
    }
}
