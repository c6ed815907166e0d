using System.Net.Sockets;
using System.Text;
using Forge.Shell.Client;
using Forge.Shell.Commands;
using Forge.Shell.Host;
using Forge.Shell.Tests.Fakes;
using Xunit;

namespace Forge.Shell.Tests.Host;

/// <summary>What the host does with clients that misbehave or are too many.</summary>
public class ShellHostLimitsSpec
{
    private static readonly Palette Echo = new PaletteBuilder("test", "t").Command("ok", "d", ctx => ctx.WriteLineAsync("ok")).Build();

    private static ShellSettings Settings(int maxConnections, TimeSpan handshake) =>
        new(true, "127.0.0.1", 0, null, maxConnections, handshake, TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(5));

    [Fact]
    public async Task Clients_beyond_max_connections_are_refused_with_the_setting_named()
    {
        await using var shell = ShellUnderTest.Start([Echo], Settings(1, TimeSpan.FromSeconds(5)));
        await using var first = await ShellConnection.ConnectAsync("127.0.0.1", shell.Host.Endpoint.Port, null, CancellationToken.None);
        var second = await Assert.ThrowsAsync<ShellConnectException>(() =>
            ShellConnection.ConnectAsync("127.0.0.1", shell.Host.Endpoint.Port, null, CancellationToken.None));
        Assert.Contains("too many shell connections (forge.shell.max-connections = 1)", second.Message);
    }

    [Fact]
    public async Task A_silent_or_garbled_client_is_closed_and_others_are_still_served()
    {
        await using var shell = ShellUnderTest.Start([Echo], Settings(4, TimeSpan.FromMilliseconds(300)));

        using var silent = new TcpClient();
        await silent.ConnectAsync("127.0.0.1", shell.Host.Endpoint.Port);
        var buffer = new byte[256];
        Assert.Equal(0, await silent.GetStream().ReadAsync(buffer)); // closed after the handshake timeout

        using var garbled = new TcpClient();
        await garbled.ConnectAsync("127.0.0.1", shell.Host.Endpoint.Port);
        await garbled.GetStream().WriteAsync(Encoding.UTF8.GetBytes("GET / HTTP/1.1\r\n\r\n"));
        var refusal = Encoding.UTF8.GetString(buffer, 0, await garbled.GetStream().ReadAsync(buffer));
        Assert.Contains("\"type\":\"refused\"", refusal);

        var r = await shell.Run("test", "ok");
        Assert.Equal((0, "ok"), (r.Code, r.Lines.Single()));
    }
}
