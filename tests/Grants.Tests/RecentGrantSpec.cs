using System.Collections.Immutable;
using Forge.Protocol;
using Xunit;

namespace Forge.Grants.Tests;

/// <summary>When a proposer answers with the term it just granted instead of minting another (<see cref="RecentGrant"/>).</summary>
public sealed class RecentGrantSpec
{
    private static readonly NodeId Node = new("eu-west-1-prod", "bp-0");
    private static readonly Guid Inc = Guid.NewGuid();
    private static readonly TermId T46 = new(46, "us-east-1/c0");
    private static readonly TermId T45 = new(45, "us-east-1/c0");
    private static readonly TermGranted Granted = new("pool", T46, Node, Inc, TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(2),
        ["eu-west-1", "us-east-1"], "failover");

    private static ProposeTerm Proposal(TermId above, NodeId? node = null, Guid? inc = null, TermRelease? release = null, bool standalone = false) =>
        new("pool", node ?? Node, inc ?? Inc, TimeSpan.FromSeconds(5), above, release, "arbiter", standalone);

    private static TimeSpan S(double s) => TimeSpan.FromSeconds(s);

    public static TheoryData<string, ProposeTerm, TermId, double, bool> Cases => new()
    {
        { "the arbiter, not knowing the watch's term, targets the same incarnation", Proposal(T45), T46, 0.15, true },
        { "another node", Proposal(T45, node: new NodeId("us-west-2-prod", "bp-0")), T46, 0.15, false },
        { "another incarnation of the node (it restarted)", Proposal(T45, inc: Guid.NewGuid()), T46, 0.15, false },
        { "the asker knows the term and wants one above it", Proposal(T46), T46, 0.15, false },
        { "a proposal carrying the holder's release", Proposal(T45, release: new TermRelease(T46, Node, Inc)), T46, 0.15, false },
        { "a standalone term", Proposal(T45, standalone: true), T46, 0.15, false },
        { "a newer term was seen since", Proposal(T45), new TermId(47, "us-west-2/c0"), 0.15, false },
        { "granted a TTL ago or more", Proposal(T45), T46, 5.0, false },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void A_term_just_granted_to_the_same_incarnation_stands_unless_the_asker_wants_a_new_one(string why, ProposeTerm p,
        TermId highestSeen, double ageS, bool reused)
    {
        var answer = RecentGrant.Reuse((Granted, S(10)), highestSeen, p, S(10 + ageS));
        Assert.True(reused == answer is not null, why);
        if (answer is null) return;
        Assert.Equal((T46, Node, Inc), (answer.Term, answer.Holder, answer.Incarnation));
        Assert.Equal(S(2 - ageS), answer.ActivationDelay); // the hint counts from now
        Assert.Contains("stands", answer.Reason);
    }

    [Fact]
    public void Nothing_granted_yet_means_a_new_term_and_an_elapsed_activation_is_zero()
    {
        Assert.Null(RecentGrant.Reuse(null, T46, Proposal(T45), S(1)));
        Assert.Equal(TimeSpan.Zero, RecentGrant.Reuse((Granted, S(10)), T46, Proposal(T45), S(13))!.ActivationDelay);
    }
}
