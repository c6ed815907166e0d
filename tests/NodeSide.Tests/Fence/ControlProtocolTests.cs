using Forge.Fence;
using Forge.Fence.Control;
using Forge.Fence.Node;

namespace Forge.NodeSide.Tests.Fence;

public class ControlProtocolTests
{
    [Theory]
    [InlineData("PING", "Ping")]
    [InlineData("STATUS", "Status")]
    [InlineData("WATCH", "Watch")]
    [InlineData("DEADLINE 123456789 grant-7.t3:a", "Deadline")]
    [InlineData("DISABLE revoke-1", "Disable")]
    [InlineData("DEADLINE -5 g", "Invalid")]
    [InlineData("DEADLINE 12x g", "Invalid")]
    [InlineData("DEADLINE 12 bad/id", "Invalid")]
    [InlineData("DEADLINE 12", "Invalid")]
    [InlineData("DISABLE", "Invalid")]
    [InlineData("ENABLE", "Invalid")]
    [InlineData("", "Invalid")]
    public void Parses(string line, string expected) =>
        Assert.Equal(expected, ControlProtocol.Parse(line).GetType().Name);

    [Fact]
    public void Status_round_trips_through_its_fields()
    {
        var line = ControlProtocol.FormatStatus(new FenceStatus("on", "up", 42, 999, "g1", "error:ESRCH", "enable failed: x y", 7), 5);
        var f = ControlProtocol.ParseFields(line);
        Assert.Equal(("on", "up", "42", "999", "g1", "error:ESRCH", "enable_failed:_x_y", "7", "5"),
            (f["state"], f["phase"], f["pid"], f["deadline"], f["request"], f["signal"], f["error"], f["agent"], f["now"]));
    }

    [Theory]
    [InlineData("a b  c", new[] { "a", "b", "c" })]
    [InlineData("a 'b c' \"d e\"", new[] { "a", "b c", "d e" })]
    [InlineData("a\\ b ''", new[] { "a b", "" })]
    public void Splits_commands_like_a_shell(string command, string[] expected) =>
        Assert.Equal(expected, CommandLineSplitter.Split(command));

    [Theory]
    [InlineData("""{"data":{"kind":"BlockForgingUpdate","enabled":"EnabledBlockForging"}}""", NodeLogEventKind.ForgingEnabled)]
    [InlineData("""{"data":{"kind":"BlockForgingUpdate","enabled":"DisabledBlockForging"}}""", NodeLogEventKind.ForgingDisabled)]
    [InlineData("""{"data":{"kind":"BlockForgingUpdateError","error":"x"}}""", NodeLogEventKind.ForgingUpdateError)]
    [InlineData("""{"data":{"kind":"TraceOpenEvent.OpenedDB"}}""", NodeLogEventKind.KernelUp)]
    [InlineData("""{"data":{"kind":"BasicInfoCommon"}}""", NodeLogEventKind.CredentialsRead)]
    [InlineData("""{"data":{"kind":"BlockForgingUpdate","enabled":"NotEffective"}}""", null)]
    [InlineData("Performing block forging reconfiguration: Enabling block forging", null)]
    [InlineData("{not json", null)]
    public void Classifies_node_log_lines(string line, object? expected) =>
        Assert.Equal((NodeLogEventKind?)expected, NodeLogWatcher.Classify(line));

    [Theory]
    [InlineData("cardano_node_metrics_forging_enabled 1\n", true)]
    [InlineData("# TYPE cardano_node_metrics_forging_enabled gauge\ncardano_node_metrics_forging_enabled 0\n", false)]
    [InlineData("cardano_node_metrics_forging_enabled_total 1\n", null)]
    [InlineData("cardano_node_metrics_forging_enabled{a=\"b\"} 1\n", true)]
    [InlineData("", null)]
    public void Reads_the_forging_metric(string text, bool? expected) => Assert.Equal(expected, MetricsProbe.Parse(text));
}
