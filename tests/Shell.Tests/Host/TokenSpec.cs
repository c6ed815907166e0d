using Forge.Shell.Host;
using Forge.Shell.Palettes.Forge;
using Forge.Shell.Tests.Fakes;
using Xunit;

namespace Forge.Shell.Tests.Host;

public sealed class TokenSpec : IDisposable
{
    private readonly string _tokenFile = Path.Combine(Path.GetTempPath(), $"forge-shell-token-{Guid.NewGuid():N}");
    private readonly string _wrongFile = Path.Combine(Path.GetTempPath(), $"forge-shell-wrong-{Guid.NewGuid():N}");

    public TokenSpec()
    {
        File.WriteAllText(_tokenFile, "s3cret-token\n");
        File.WriteAllText(_wrongFile, "s3cret-tokem");
    }

    public void Dispose()
    {
        File.Delete(_tokenFile);
        File.Delete(_wrongFile);
    }

    [Fact]
    public async Task Unauthenticated_clients_are_refused_when_a_token_is_configured()
    {
        var forge = new FakeForge();
        await using var shell = ShellUnderTest.Start([ForgePalette.Create(forge, forge)], ShellUnderTest.Settings(tokenFile: _tokenFile));

        var none = await shell.Run("forge", "status");
        Assert.Equal(1, none.Code);
        Assert.Contains("refused by", none.Err);
        Assert.Contains("this host requires the shared token (--token-file)", none.Err);
        Assert.Empty(none.Out);

        var wrong = await ShellUnderTest.RunClient(["--token-file", _wrongFile, shell.Endpoint, "forge", "status"], "");
        Assert.Equal(1, wrong.Code);
        Assert.Contains("wrong token", wrong.Err);

        var right = await ShellUnderTest.RunClient(["--token-file", _tokenFile, shell.Endpoint, "forge", "status"], "");
        Assert.Equal(0, right.Code);
        Assert.StartsWith("POOL", right.Lines[0]);
    }

    [Fact]
    public async Task Bound_beyond_loopback_a_client_needs_the_token_from_its_file()
    {
        var forge = new FakeForge();
        await using var shell = ShellUnderTest.Start([ForgePalette.Create(forge, forge)], ShellUnderTest.Settings(tokenFile: _tokenFile, host: "0.0.0.0"));
        // Reach it through this machine's own non-loopback address when it has one (what another pod would use).
        var address = System.Net.NetworkInformation.NetworkInterface.GetAllNetworkInterfaces()
            .Where(n => n.OperationalStatus == System.Net.NetworkInformation.OperationalStatus.Up)
            .SelectMany(n => n.GetIPProperties().UnicastAddresses).Select(u => u.Address)
            .FirstOrDefault(a => a.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork && !System.Net.IPAddress.IsLoopback(a))
            ?? System.Net.IPAddress.Loopback;
        var endpoint = $"{address}:{shell.Host.Endpoint.Port}";

        var none = await ShellUnderTest.RunClient([endpoint, "forge", "status"], "");
        Assert.Equal(1, none.Code);
        Assert.Contains("this host requires the shared token (--token-file)", none.Err);
        var wrong = await ShellUnderTest.RunClient(["--token-file", _wrongFile, endpoint, "forge", "status"], "");
        Assert.Equal(1, wrong.Code);
        Assert.Contains("wrong token", wrong.Err);
        var right = await ShellUnderTest.RunClient(["--token-file", _tokenFile, endpoint, "forge", "status"], "");
        Assert.True(right.Code == 0, right.ToString());
        Assert.StartsWith("POOL", right.Lines[0]);
    }

    [Fact]
    public void Token_gate_compares_the_trimmed_token()
    {
        var gate = TokenGate.ForToken("abc\n");
        Assert.True(gate.Admits("abc"));
        Assert.False(gate.Admits("abd"));
        Assert.False(gate.Admits("abcd"));
        Assert.False(gate.Admits(null));
        Assert.True(TokenGate.Open.Admits(null));
    }

    [Fact]
    public void Binding_beyond_loopback_without_a_token_refuses_to_start_naming_the_setting()
    {
        var e = Assert.Throws<ArgumentException>(() => ShellUnderTest.Settings(host: "0.0.0.0"));
        Assert.Contains("forge.shell.token-file", e.Message);
        Assert.Equal(System.Net.IPAddress.Any, ShellUnderTest.Settings(tokenFile: _tokenFile, host: "0.0.0.0").Address);
    }

    [Fact]
    public void An_empty_or_missing_token_file_stops_the_host()
    {
        var empty = Path.Combine(Path.GetTempPath(), $"forge-shell-empty-{Guid.NewGuid():N}");
        File.WriteAllText(empty, " \n");
        try
        {
            Assert.Contains("is empty", Assert.Throws<ArgumentException>(() => ShellUnderTest.Start([], ShellUnderTest.Settings(empty))).Message);
            Assert.Contains("cannot be read", Assert.Throws<ArgumentException>(() => ShellUnderTest.Start([], ShellUnderTest.Settings(empty + ".missing"))).Message);
        }
        finally
        {
            File.Delete(empty);
        }
    }
}
