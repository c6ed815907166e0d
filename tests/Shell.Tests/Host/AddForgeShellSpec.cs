using Forge.Net;
using Akka.Hosting;
using Forge.Shell.Host;
using Forge.Shell.Palettes.Forge;
using Forge.Shell.Tests.Fakes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Xunit;

namespace Forge.Shell.Tests.Host;

/// <summary>The integration entry point as the coordinator's Program uses it: AddAkka(..., (akka, sp) => akka.AddForgeShell(sp)).</summary>
public class AddForgeShellSpec
{
    [Fact]
    public async Task The_host_starts_with_the_actor_system_and_uses_the_registered_queries_and_writer()
    {
        var port = FreePort();
        var forge = new FakeForge();
        var builder = Microsoft.Extensions.Hosting.Host.CreateApplicationBuilder();
        builder.Services.AddSingleton<IForgeQueries>(forge);
        builder.Services.AddSingleton<IForgeSpecWriter>(forge);
        builder.Services.AddAkka("forge", (akka, sp) => akka
            .AddHocon($"forge.shell.port = {port}", HoconAddMode.Prepend)
            .AddForgeShell(sp));
        using var app = builder.Build();
        await app.StartAsync();
        try
        {
            var help = await ShellUnderTest.RunClient([$"127.0.0.1:{port}", "help"], "");
            Assert.Contains(help.Lines, l => l.StartsWith("  forge ", StringComparison.Ordinal));
            Assert.DoesNotContain(help.Lines, l => l.StartsWith("  cluster ", StringComparison.Ordinal)); // not a clustered system
            var failover = await ShellUnderTest.RunClient([$"127.0.0.1:{port}", "forge", "failover", "--to", "us-west-2-prod", "--reason", "x"], "");
            Assert.True(failover.Code == 0, failover.ToString());
        }
        finally
        {
            await app.StopAsync();
        }
        var refused = await ShellUnderTest.RunClient([$"127.0.0.1:{port}", "forge", "status"], "");
        Assert.Equal(1, refused.Code); // stopped with the actor system
    }

    [Fact]
    public async Task A_non_loopback_host_without_a_token_does_not_start()
    {
        var builder = Microsoft.Extensions.Hosting.Host.CreateApplicationBuilder();
        builder.Services.AddAkka("forge", (akka, sp) => akka
            .AddHocon("forge.shell { host = \"0.0.0.0\", port = 0 }", HoconAddMode.Prepend)
            .AddForgeShell(sp));
        using var app = builder.Build();
        var e = await Record.ExceptionAsync(() => app.StartAsync());
        try
        {
            Assert.NotNull(e);
            Assert.Contains("forge.shell.token-file", e.ToString());
        }
        finally
        {
            await app.StopAsync();
        }
    }

    private static int FreePort() => LoopbackPorts.Next();
}
