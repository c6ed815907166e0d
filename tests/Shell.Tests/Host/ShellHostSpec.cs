using Forge.Shell.Client;
using Forge.Shell.Commands;
using Forge.Shell.Protocol;
using Forge.Shell.Tests.Fakes;
using Xunit;

namespace Forge.Shell.Tests.Host;

/// <summary>The host and the real client over loopback TCP, with a small test palette.</summary>
public class ShellHostSpec
{
    private static Palette TestPalette() => new PaletteBuilder("test", "test commands")
        .Command("echo", "writes its argument", ctx => ctx.WriteLineAsync(ctx.Command.Argument("text") + ctx.Command.Switch("suffix")),
            [new ArgumentSpec("text", "what to write")], [new SwitchSpec("suffix", "appended", "text", Default: "!")])
        .Command("fail", "fails politely", _ => throw new CommandFailedException("nothing to do"))
        .Command("crash", "fails impolitely", _ => throw new InvalidOperationException("boom"))
        .Command("ticks", "streams until cancelled", async ctx =>
        {
            for (var i = 0; ; i++)
            {
                await ctx.WriteLineAsync($"tick {i}");
                await Task.Yield();
                ctx.Cancellation.ThrowIfCancellationRequested();
            }
        }, streaming: true)
        .Build();

    [Fact]
    public async Task A_command_runs_and_exits_zero()
    {
        await using var shell = ShellUnderTest.Start([TestPalette()]);
        var r = await shell.Run("test", "echo", "hello");
        Assert.Equal(0, r.Code);
        Assert.Equal(["hello!"], r.Lines);
    }

    [Theory]
    [InlineData(new[] { "test", "echo" }, "missing argument <text>")]
    [InlineData(new[] { "test", "echo", "a", "--colour", "red" }, "unknown switch '--colour'")]
    [InlineData(new[] { "test", "echo", "a", "--suffix" }, "switch '--suffix' needs a value <text>")]
    public async Task A_bad_argument_gets_the_usage_and_exit_code_2_never_a_stack_trace(string[] words, string message)
    {
        await using var shell = ShellUnderTest.Start([TestPalette()]);
        var r = await shell.Run(words);
        Assert.Equal(2, r.Code);
        Assert.Contains($"error: {message}", r.Err);
        Assert.Contains("usage: test echo <text> [--suffix <text>]", r.Err);
        Assert.DoesNotContain("   at ", r.Err + r.Out);
    }

    [Fact]
    public async Task Unknown_palettes_and_commands_list_what_exists()
    {
        await using var shell = ShellUnderTest.Start([TestPalette()]);
        var palette = await shell.Run("nope");
        Assert.Equal(2, palette.Code);
        Assert.Contains("unknown palette 'nope'; palettes: test", palette.Err);
        var command = await shell.Run("test", "ech");
        Assert.Equal(2, command.Code);
        Assert.Contains("unknown command 'test ech'; test commands: echo, fail, crash, ticks", command.Err);
    }

    [Fact]
    public async Task Failures_exit_1_with_the_message_and_internal_errors_hide_the_stack()
    {
        await using var shell = ShellUnderTest.Start([TestPalette()]);
        var fail = await shell.Run("test", "fail");
        Assert.Equal(1, fail.Code);
        Assert.Equal("error: nothing to do", fail.Err.Trim());
        var crash = await shell.Run("test", "crash");
        Assert.Equal(1, crash.Code);
        Assert.Contains("internal error in 'test crash': boom", crash.Err);
        Assert.DoesNotContain("   at ", crash.Err);
    }

    [Fact]
    public async Task Help_comes_from_the_palettes_the_host_sent()
    {
        await using var shell = ShellUnderTest.Start([TestPalette()]);
        var all = await shell.Run("help");
        Assert.Equal(0, all.Code);
        Assert.Contains("  test   test commands: echo, fail, crash, ticks", all.Lines);
        var palette = await shell.Run("help", "test");
        Assert.Contains(palette.Lines, l => l.StartsWith("  test echo <text> [--suffix <text>]", StringComparison.Ordinal));
        var command = await shell.Run("help", "test", "echo");
        Assert.Contains("  --suffix <text>   appended (default !)", command.Lines);
        var inline = await shell.Run("test", "echo", "--help");
        Assert.Equal(["usage: test echo <text> [--suffix <text>]"], inline.Lines);
        Assert.Equal(2, (await shell.Run("help", "nope")).Code);
    }

    [Fact]
    public async Task A_script_on_stdin_runs_line_by_line_and_exits_with_the_last_failure()
    {
        await using var shell = ShellUnderTest.Start([TestPalette()]);
        var r = await shell.Script("# comment\ntest echo one\n\ntest fail\ntest echo 'two words' --suffix=?\n");
        Assert.Equal(1, r.Code);
        Assert.Equal(["one!", "two words?"], r.Lines);
        Assert.Contains("error: nothing to do", r.Err);
        var exits = await shell.Script("test echo a\nexit\ntest echo b\n");
        Assert.Equal(0, exits.Code);
        Assert.Equal(["a!"], exits.Lines);
    }

    [Fact]
    public async Task A_streaming_command_runs_until_the_client_cancels_it()
    {
        await using var shell = ShellUnderTest.Start([TestPalette()]);
        await using var connection = await ShellConnection.ConnectAsync("127.0.0.1", shell.Host.Endpoint.Port, null, CancellationToken.None);
        using var cancel = new CancellationTokenSource();
        var lines = 0;
        var done = await connection.RunAsync(["test", "ticks"], _ => { if (++lines == 3) cancel.Cancel(); }, cancel.Token);
        Assert.Equal(Done.Ok, done.Status);
        Assert.True(lines >= 3);
        // the connection stays usable
        var after = await connection.RunAsync(["test", "echo", "x"], _ => { }, CancellationToken.None);
        Assert.Equal(Done.Ok, after.Status);
    }
}
