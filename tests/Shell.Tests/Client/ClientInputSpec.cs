using Forge.Shell.Client;
using Xunit;

namespace Forge.Shell.Tests.Client;

public class ClientInputSpec
{
    [Theory]
    [InlineData("forge failover --to us-west-2-prod --reason 'planned maintenance'",
        new[] { "forge", "failover", "--to", "us-west-2-prod", "--reason", "planned maintenance" })]
    [InlineData("forge disable a --reason \"say \\\"why\\\"\"", new[] { "forge", "disable", "a", "--reason", "say \"why\"" })]
    [InlineData("  cluster   show  ", new[] { "cluster", "show" })]
    [InlineData("a\\ b ''", new[] { "a b", "" })]
    public void Words_split_like_a_shell(string line, string[] words) => Assert.Equal(words, WordSplitter.Split(line));

    [Fact]
    public void An_unterminated_quote_is_an_error() =>
        Assert.Throws<FormatException>(() => WordSplitter.Split("forge disable a --reason 'oops"));

    [Fact]
    public void Options_then_endpoint_then_command_words_passed_on_untouched()
    {
        var o = ClientOptions.Parse(["--token-file", "/t", "10.0.0.5:9111", "forge", "failover", "--to", "x"], _ => null);
        Assert.Equal(("10.0.0.5", 9111, "/t"), (o.Host, o.Port, o.TokenFile));
        Assert.Equal(["forge", "failover", "--to", "x"], o.Command);

        var d = ClientOptions.Parse(["cluster", "show"], _ => "/from-env");
        Assert.Equal(("127.0.0.1", 9110, "/from-env"), (d.Host, d.Port, d.TokenFile));
        Assert.Equal(["cluster", "show"], d.Command);

        var v6 = ClientOptions.Parse(["[::1]:9110"], _ => null);
        Assert.Equal(("::1", 9110), (v6.Host, v6.Port));
        Assert.Empty(v6.Command);
    }

    [Fact]
    public void An_unknown_option_is_an_error() =>
        Assert.Throws<FormatException>(() => ClientOptions.Parse(["--tokenfile", "x"], _ => null));

    [Fact]
    public void History_persists_skips_repeats_and_survives_a_reload()
    {
        var path = Path.Combine(Path.GetTempPath(), $"forge-shell-history-{Guid.NewGuid():N}");
        try
        {
            var h = new ShellHistory(path);
            h.Add("cluster show");
            h.Add("cluster show");
            h.Add("  ");
            h.Add("forge status");
            Assert.Equal(["cluster show", "forge status"], new ShellHistory(path).Entries);
            if (!OperatingSystem.IsWindows()) Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
        }
        finally
        {
            File.Delete(path);
        }
    }
}
