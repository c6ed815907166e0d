using System.Collections.Immutable;
using Forge.Shell.Commands;
using Forge.Shell.Protocol;
using Xunit;

namespace Forge.Shell.Tests.Commands;

public class CommandParserSpec
{
    private static readonly CommandSpec Failover = new("forge", "failover", "d", [],
    [
        new SwitchSpec("to", "d", "cluster", Required: true),
        new SwitchSpec("reason", "d", "text", Required: true),
        new SwitchSpec("expires", "d", "time"),
        new SwitchSpec("dry-run", "d"),
    ]);

    private static readonly CommandSpec Show = new("agent", "show", "d", [new ArgumentSpec("node", "d")],
        [new SwitchSpec("limit", "d", "n", Default: "20")]);

    [Fact]
    public void Usage_lists_arguments_and_switches_with_optional_ones_in_brackets()
    {
        Assert.Equal("forge failover --to <cluster> --reason <text> [--expires <time>] [--dry-run]", Failover.Usage);
        Assert.Equal("agent show <node> [--limit <n>]", Show.Usage);
    }

    [Fact]
    public void Switches_take_values_separately_or_inline_and_flags_take_none()
    {
        var p = CommandParser.Parse(Failover, ["--to", "us-west-2-prod", "--reason=planned maintenance", "--dry-run"]);
        Assert.Equal("us-west-2-prod", p.Switch("to"));
        Assert.Equal("planned maintenance", p.Switch("reason"));
        Assert.Null(p.Switch("expires"));
        Assert.True(p.Flag("dry-run"));
    }

    [Fact]
    public void Positional_arguments_and_defaults()
    {
        var p = CommandParser.Parse(Show, ["us-east-1-prod/cardano-bp-0"]);
        Assert.Equal("us-east-1-prod/cardano-bp-0", p.Argument("node"));
        Assert.Equal("20", p.Switch("limit"));
    }

    [Theory]
    [InlineData(new[] { "--reason", "x" }, "missing switch --to <cluster>")]
    [InlineData(new[] { "--to" }, "switch '--to' needs a value <cluster>")]
    [InlineData(new[] { "--to", "a", "--reason", "x", "--force" }, "unknown switch '--force'")]
    [InlineData(new[] { "--to", "a", "--to", "b", "--reason", "x" }, "switch '--to' given twice")]
    [InlineData(new[] { "--to", "a", "--reason", "x", "extra" }, "unexpected argument 'extra'")]
    [InlineData(new[] { "--to", "a", "--reason", "x", "--dry-run=yes" }, "switch '--dry-run' takes no value")]
    public void Bad_words_are_usage_errors_that_name_the_word(string[] words, string message)
    {
        var e = Assert.Throws<CommandUsageException>(() => CommandParser.Parse(Failover, words));
        Assert.Equal(message, e.Message);
    }

    [Fact]
    public void A_missing_argument_is_named()
    {
        var e = Assert.Throws<CommandUsageException>(() => CommandParser.Parse(Show, ImmutableArray<string>.Empty));
        Assert.Equal("missing argument <node>", e.Message);
    }
}
