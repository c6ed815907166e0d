using Forge.Arbiter;
using Forge.Nodes;
using Forge.Protocol;
using Xunit;

namespace Forge.Tests.Arbiter;

/// <summary>A holder whose view went stale counts as live while the quorum, asked recently, does not report its term
/// quiet (<see cref="PoolRecord.IsLive"/>); anyone else's stale view does not.</summary>
public sealed class RenewingHolderTests
{
    private static readonly NodeId Holder = new("west", "bp-0");
    private static readonly NodeId Other = new("east", "bp-0");
    private static readonly Guid Inc = Guid.NewGuid();
    private static readonly TermId Term = new(24, "eu-west-1/c0");
    private static readonly TimeSpan Now = TimeSpan.FromMinutes(10);
    private static readonly TimeSpan StaleAfter = TimeSpan.FromSeconds(6);

    private static NodeView View(NodeId node, Guid inc, TermId held) => new("pool1", node, "us-west-2", inc, true, true, true, 100, 101,
        VerifiedForging.On, SignalOutcome.None, 50, held, new CredentialFingerprint("aa", 1, 1, 1), null, "c", DateTimeOffset.UnixEpoch);

    private static PoolRecord Record(NodeView v, double heardAgoS, TermId quiet = default) => PoolRecord.Create("pool1") with
    {
        Nodes = PoolRecord.Create("pool1").Nodes.SetItem(v.Node, v),
        NodeHeardAt = PoolRecord.Create("pool1").NodeHeardAt.SetItem(v.Node, Now - TimeSpan.FromSeconds(heardAgoS)),
        Grant = new CurrentGrant(Term, Holder, Inc),
        QuietTerm = quiet,
    };

    private static TimeSpan? Ago(double? s) => s is { } x ? Now - TimeSpan.FromSeconds(x) : null;

    public static TheoryData<string, NodeView, double, double?, TermId, bool> Cases => new()
    {
        { "fresh view", View(Holder, Inc, Term), 1, null, default, true },
        { "stale view, quorum asked 1 s ago, term not quiet", View(Holder, Inc, Term), 60, 1, default, true },
        { "stale view, no quorum answer yet", View(Holder, Inc, Term), 60, null, default, false },
        { "stale view, the quorum's last answer is itself old", View(Holder, Inc, Term), 60, 7, default, false },
        { "stale view, term quiet on the quorum (holder lost)", View(Holder, Inc, Term), 60, 1, Term, false },
        { "stale view of another incarnation of the holder", View(Holder, Guid.NewGuid(), Term), 60, 1, default, false },
        { "stale view that did not hold the term", View(Holder, Inc, TermId.None), 60, 1, default, false },
        { "stale view of another node", View(Other, Inc, Term), 60, 1, default, false },
    };

    [Fact]
    public void A_revoke_log_describes_the_holder_as_the_arbiter_sees_it()
    {
        var record = Record(View(Holder, Inc, Term), 7.2, quiet: Term);
        Assert.Equal($"incarnation {Inc}, connected, alive, synced, holds {Term}, report 0.0s old, heard 7.2s ago, its term quiet on the " +
                     "quorum; for the decider: not live, current credentials",
            record.Describe(Holder, Now, StaleAfter));
        Assert.Equal("no view", record.Describe(Other, Now, StaleAfter));
        Assert.EndsWith("; for the decider: live, current credentials", Record(View(Holder, Inc, Term), 1).Describe(Holder, Now, StaleAfter));
    }

    [Fact]
    public void A_revoke_log_says_when_the_holders_credentials_are_not_the_pools_current_ones()
    {
        var holder = Record(View(Holder, Inc, Term), 1);
        var newer = View(Other, Guid.NewGuid(), TermId.None) with { Credentials = new CredentialFingerprint("bb", 2, 1, 1) };
        Assert.EndsWith("; for the decider: live, not the current credentials (opcert counter 1)",
            (holder with { Nodes = holder.Nodes.SetItem(Other, newer) }).Describe(Holder, Now, StaleAfter));

        var rival = newer with { Credentials = new CredentialFingerprint("bb", 1, 1, 1) };
        Assert.EndsWith("; for the decider: live, no current credentials in the pool (no registered node, or two opcerts at the highest counter)",
            (holder with { Nodes = holder.Nodes.SetItem(Other, rival) }).Describe(Holder, Now, StaleAfter));
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void A_stale_holder_is_live_only_while_the_quorum_sees_it_renewing(string why, NodeView view, double heardAgoS,
        double? quorumAgoS, TermId quiet, bool live) =>
        Assert.True(live == Record(view, heardAgoS, quiet).IsLive(view, Now, StaleAfter, Ago(quorumAgoS)), why);
}
