using Forge.KubeApiEmulator.Printing;

namespace Forge.Kubernetes.Tests.Emulator;

public sealed class HumanDurationTests
{
    [Theory]
    [InlineData(0, "0s")]
    [InlineData(119, "119s")]
    [InlineData(120, "2m")]
    [InlineData(310, "5m10s")]
    [InlineData(600, "10m")]
    [InlineData(3 * 3600 - 1, "179m")]
    [InlineData(3 * 3600, "3h")]
    [InlineData(3 * 3600 + 5 * 60, "3h5m")]
    [InlineData(47 * 3600, "47h")]
    [InlineData(2 * 86400, "2d")]
    [InlineData(2 * 86400 + 5 * 3600, "2d5h")]
    [InlineData(30 * 86400, "30d")]
    [InlineData(3 * 365 * 86400 + 4 * 86400, "3y4d")]
    [InlineData(9 * 365 * 86400, "9y")]
    public void Formats_ages_like_apimachinery(long seconds, string expected) =>
        Assert.Equal(expected, HumanDuration.Format(TimeSpan.FromSeconds(seconds)));
}
