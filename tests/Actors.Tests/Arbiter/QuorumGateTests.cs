using Forge.Arbiter;
using Forge.Protocol;
using Xunit;

namespace Forge.Tests.Arbiter;

/// <summary>The arbiter's back-off after a quorum round that a majority of regions did not answer (<see cref="QuorumGate"/>).</summary>
public sealed class QuorumGateTests
{
    private static readonly NodeId West = new("west", "bp-0");
    private static readonly CurrentGrant Held = new(new TermId(3, "a"), new NodeId("east", "bp-0"), Guid.NewGuid());
    private static readonly ArbiterStep Propose = new ArbiterStep.Propose(West, Guid.NewGuid(), Held.Term, null, "holder lost");
    private static readonly ArbiterStep Handover = new ArbiterStep.SendRevoke(Held, West, "spec change");
    private static readonly ArbiterStep StopOnly = new ArbiterStep.SendRevoke(Held, null, "every cluster Disabled");
    private static readonly ArbiterStep Wait = new ArbiterStep.Nothing("holder kept");

    public static TheoryData<string, bool> Steps => new() { { "propose", true }, { "handover", true }, { "stop", false }, { "nothing", false } };

    private static ArbiterStep Step(string name) => name switch
    {
        "propose" => Propose,
        "handover" => Handover,
        "stop" => StopOnly,
        _ => Wait,
    };

    [Theory]
    [MemberData(nameof(Steps))]
    public void Closed_holds_back_proposals_and_handovers_only(string name, bool heldBack)
    {
        var step = Step(name);
        Assert.Same(step, QuorumGate.Initial.Admit(step));
        var closed = QuorumGate.Initial.After(answeredByMajority: false, "the last quorum probe was answered by 1 region(s)");
        var admitted = closed.Admit(step);
        if (heldBack)
        {
            var nothing = Assert.IsType<ArbiterStep.Nothing>(admitted);
            Assert.Contains("answered by 1 region(s)", nothing.Why);
        }
        else Assert.Same(step, admitted);
    }

    [Fact]
    public void The_latest_round_decides()
    {
        var g = QuorumGate.Initial.After(true, "probe");
        Assert.True(g.Open);
        g = g.After(false, "proposal");
        Assert.False(g.Open);
        g = g.After(false, "probe");
        Assert.False(g.Open);
        Assert.Equal("probe", g.Why);
        g = g.After(true, "probe");
        Assert.Equal(QuorumGate.Initial, g);
    }
}
