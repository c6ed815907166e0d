using System.Collections.Immutable;
using Akka.Actor;
using Forge.Arbiter;
using Forge.Protocol;

namespace Forge.Coordinator.Tests.MultiNode;

/// <summary>
/// Stands in for the grant quorum across the in-process coordinators: one replica per configured region; a proposal
/// is accepted only if the proposer's region reaches a majority of the configured regions (the test keeps the
/// partition map), and only for a term above every term accepted so far. Records every outcome for assertions.
/// </summary>
public sealed class FakeQuorum(ImmutableArray<string> regions)
{
    public sealed record Outcome(TimeSpan At, string ProposerRegion, NodeId Holder, TermId Term, bool Accepted, string Why);

    private readonly object _gate = new();
    private readonly System.Diagnostics.Stopwatch _clock = System.Diagnostics.Stopwatch.StartNew();
    private readonly List<Outcome> _outcomes = [];
    private ImmutableHashSet<(string, string)> _cut = [];
    private long _counter;

    public TimeSpan Now => _clock.Elapsed;

    public void Cut(string a, string b)
    {
        lock (_gate) _cut = _cut.Add((a, b)).Add((b, a));
    }

    /// <summary>A region that crashed is cut from everyone (its replica is gone).</summary>
    public void Isolate(string region)
    {
        foreach (var r in regions) if (r != region) Cut(region, r);
    }

    public ImmutableArray<Outcome> Outcomes
    {
        get { lock (_gate) return [.. _outcomes]; }
    }

    public Outcome? LastAccepted => Outcomes.LastOrDefault(o => o.Accepted);

    public GrantNotProposedOr Propose(string proposerRegion, ProposeGrant p)
    {
        lock (_gate)
        {
            var reachable = regions.Count(r => r == proposerRegion || !_cut.Contains((proposerRegion, r)));
            var term = new TermId(Math.Max(_counter, p.Above.Counter) + 1, proposerRegion);
            if (reachable < regions.Length / 2 + 1)
            {
                _outcomes.Add(new(Now, proposerRegion, p.Holder, term, false, "no majority"));
                return new GrantNotProposedOr(null, new GrantNotProposed(p.PoolId, p.Holder, new TermId(_counter, ""), "no majority of regions"));
            }
            _counter = term.Counter;
            _outcomes.Add(new(Now, proposerRegion, p.Holder, term, true, p.Reason));
            var grant = new Grant(p.PoolId, p.Holder, p.Incarnation, term, p.Ttl, TimeSpan.Zero, p.Reason);
            return new GrantNotProposedOr(new GrantProposed(p.PoolId, grant, [.. regions.Where(r => r == proposerRegion || !_cut.Contains((proposerRegion, r)))]), null);
        }
    }

    public sealed record GrantNotProposedOr(GrantProposed? Granted, GrantNotProposed? Refused);
}

/// <summary>The grant port of one in-process coordinator, backed by the shared <see cref="FakeQuorum"/>.</summary>
public sealed class FakeQuorumPort : ReceiveActor
{
    public static Props Props(FakeQuorum quorum, string region) => Akka.Actor.Props.Create(() => new FakeQuorumPort(quorum, region));

    public FakeQuorumPort(FakeQuorum quorum, string region)
    {
        void Propose(ProposeGrant p)
        {
            var r = quorum.Propose(region, p);
            Sender.Tell(r.Granted is not null ? r.Granted : r.Refused!);
        }
        Receive<ProposeGrant>(Propose);
        Receive<ProposeGrants>(b => b.Proposals.ToList().ForEach(Propose));
    }
}
