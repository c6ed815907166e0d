using System.Collections.Immutable;
using BenchmarkDotNet.Attributes;
using Forge.Grants;
using Forge.Protocol;

namespace Forge.Benchmarks;

/// <summary>The grant replica's pure rules (<see cref="ReplicaCore"/>): one batched renewal round of 1,000 forgers, which
/// is what a replica does each renewal period at 1,000 pools (one quorum write per batch, not per pool); and one batch of
/// 1,000 grants (every pool failing over at once: one round per replica), before its one durable write.</summary>
[MemoryDiagnoser]
public class ReplicaBenchmarks
{
    private const int Pools = 1000;
    private static readonly GrantTiming Timing = new(TimeSpan.FromMilliseconds(500), 100_000);
    private ReplicaState _state = null!;
    private ImmutableArray<ReplicaRenewalEntry> _round;
    private ImmutableArray<ReplicaAcceptGrant> _failover;
    private TimeSpan _now;

    [GlobalSetup]
    public void Setup()
    {
        var state = new ReplicaState(false, ImmutableDictionary<string, ReplicaPoolState>.Empty.WithComparers(StringComparer.Ordinal));
        var entries = ImmutableArray.CreateBuilder<ReplicaRenewalEntry>(Pools);
        for (var p = 0; p < Pools; p++)
        {
            var pool = $"pool{p:D6}";
            var term = new TermId(1, "us-east-1-prod/coordinator-0");
            var holder = new NodeId("us-east-1-prod", "cardano-bp-0");
            var incarnation = Guid.NewGuid();
            state = ReplicaCore.AcceptGrant(state, new ReplicaAcceptGrant(pool, term, holder, incarnation, TimeSpan.FromSeconds(5), null, p),
                "us-east-1", TimeSpan.FromSeconds(1), Timing).State;
            entries.Add(new ReplicaRenewalEntry(pool, term, holder, incarnation, null));
        }
        _round = entries.MoveToImmutable();
        _failover = [.. _round.Select((e, i) => new ReplicaAcceptGrant(e.PoolId, new TermId(2, "us-west-2-prod/coordinator-0"),
            new NodeId("us-west-2-prod", "cardano-bp-0"), Guid.NewGuid(), TimeSpan.FromSeconds(5), null, i))];
        _now = TimeSpan.FromMinutes(5); // past every term's wait: renewals are accepted
        var first = ReplicaCore.Renew(state, _round, _now, Timing);
        if (first.Answer.Count(v => v.Accepted) != Pools) // a round of refusals would measure the wrong path
            throw new InvalidOperationException("renewals refused: " + first.Answer.First(v => !v.Accepted).Reason);
        _state = first.State;
        if (ReplicaCore.AcceptGrants(_state, _failover, "us-east-1", _now, Timing).Answer.Any(a => !a.Accepted))
            throw new InvalidOperationException("failover grants refused");
    }

    [Benchmark(Description = "replica: one batch of 1,000 grants (a region's pools failing over)")]
    public int FailoverBatch() => ReplicaCore.AcceptGrants(_state, _failover, "us-east-1", _now, Timing).Changed.Length;

    [Benchmark(Description = "replica: one renewal round of 1,000 forgers")]
    public int RenewRound()
    {
        _now += TimeSpan.FromSeconds(1);
        var step = ReplicaCore.Renew(_state, _round, _now, Timing);
        _state = step.State;
        return step.Answer.Count(v => v.Accepted);
    }
}
