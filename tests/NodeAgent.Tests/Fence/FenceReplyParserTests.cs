using Forge.NodeAgent.Fence;
using Forge.Protocol;
using Xunit;

namespace Forge.NodeAgent.Tests.Fence;

public sealed class FenceReplyParserTests
{
    [Fact]
    public void Status_lines_give_state_pid_request_and_signal()
    {
        var o = FenceReplyParser.Parse("STATUS state=on phase=up pid=123 deadline=99 request=g7 signal=ok error=- agent=5 now=1")!;
        Assert.Equal((VerifiedForging.On, "g7", 123, "up", SignalOutcome.Verified, (string?)null),
            (o.State, o.RequestId, o.NodePid, o.NodePhase, o.LastSignal, o.Error));
        var failed = FenceReplyParser.Parse("STATUS state=unknown phase=up pid=- deadline=- request=x9 signal=error:ESRCH error=enable_failed now=1")!;
        Assert.Equal((VerifiedForging.Unknown, SignalOutcome.SendFailed, (int?)null), (failed.State, failed.LastSignal, failed.NodePid));
    }

    [Fact]
    public void Events_carry_only_state_and_request()
    {
        var o = FenceReplyParser.Parse("EVENT state=off request=agent-exited at=5")!;
        Assert.Equal((VerifiedForging.Off, "agent-exited", (int?)null, (SignalOutcome?)null), (o.State, o.RequestId, o.NodePid, o.LastSignal));
        Assert.Null(FenceReplyParser.Parse("LOG {\"msg\":\"x\"}"));
        Assert.Null(FenceReplyParser.Parse("PONG 5"));
    }
}
