using System.Collections.Immutable;
using Forge.Shell.Client;
using Forge.Shell.Protocol;
using Xunit;

namespace Forge.Shell.Tests.Client;

public class CompletionSpec
{
    private static readonly ImmutableArray<PaletteSpec> Palettes =
    [
        new("cluster", "d",
        [
            new("cluster", "show", "d", [], []),
            new("cluster", "status", "d", [], []),
            new("cluster", "down", "d", [new ArgumentSpec("address", "d")], []),
            new("cluster", "down-unreachable", "d", [], []),
        ]),
        new("forge", "d",
        [
            new("forge", "failover", "d", [],
                [new SwitchSpec("to", "d", "cluster", true), new SwitchSpec("reason", "d", "text", true), new SwitchSpec("expires", "d", "time")]),
            new("forge", "status", "d", [], []),
        ]),
    ];

    private static readonly Completer Completer = new(Palettes);

    [Theory]
    [InlineData("", new[] { "cluster", "exit", "forge", "help", "quit" })]
    [InlineData("f", new[] { "forge" })]
    [InlineData("cluster s", new[] { "show", "status" })]
    [InlineData("cluster down", new[] { "down", "down-unreachable" })]
    [InlineData("forge failover --", new[] { "--expires", "--help", "--reason", "--to" })]
    [InlineData("forge failover --to a --r", new[] { "--reason" })]
    [InlineData("forge failover --to a --", new[] { "--expires", "--help", "--reason" })]
    [InlineData("help ", new[] { "cluster", "forge" })]
    [InlineData("help forge f", new[] { "failover" })]
    [InlineData("nope ", new string[0])]
    [InlineData("forge status x", new string[0])]
    public void Completes_palette_command_and_switch_names(string line, string[] expected) =>
        Assert.Equal(expected, Completer.Complete(line).Candidates.ToArray());

    [Fact]
    public void Tab_inserts_a_single_candidate_with_a_space()
    {
        var state = new LineState([]);
        state.Insert("fo");
        Assert.Empty(state.Complete(Completer));
        Assert.Equal("forge ", state.Text);
        state.Insert("fa");
        state.Complete(Completer);
        Assert.Equal("forge failover ", state.Text);
    }

    [Fact]
    public void Tab_extends_to_the_common_prefix_then_lists_the_choices()
    {
        var state = new LineState([]);
        state.Insert("cluster d");
        Assert.Empty(state.Complete(Completer));
        Assert.Equal("cluster down", state.Text);
        Assert.Equal(new[] { "down", "down-unreachable" }, state.Complete(Completer).ToArray());
        Assert.Equal("cluster down", state.Text);
    }

    [Fact]
    public void Tab_completes_the_word_before_the_cursor()
    {
        var state = new LineState([]);
        state.Insert("clu show");
        for (var i = 0; i < 5; i++) state.Left();
        state.Complete(Completer);
        Assert.Equal("cluster  show", state.Text);
    }

    [Fact]
    public void Up_and_down_walk_the_history_and_keep_the_draft()
    {
        var state = new LineState(["cluster show", "forge status"]);
        state.Insert("agent");
        state.Previous();
        Assert.Equal("forge status", state.Text);
        state.Previous();
        Assert.Equal("cluster show", state.Text);
        state.Previous();
        Assert.Equal("cluster show", state.Text);
        state.Next();
        state.Next();
        Assert.Equal("agent", state.Text);
    }

    [Fact]
    public void Editing_keys_move_and_delete_at_the_cursor()
    {
        var state = new LineState([]);
        state.Insert("forge statsu");
        state.Backspace();
        state.Backspace();
        state.Insert("us");
        state.Home();
        state.Delete();
        state.Insert("F");
        state.End();
        Assert.Equal("Forge status", state.Text);
        state.Left();
        state.KillToStart();
        Assert.Equal("s", state.Text);
    }
}
