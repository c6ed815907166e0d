using System.Collections.Immutable;
using CsCheck;
using Forge.Grants;
using Forge.PodFence;
using Xunit;
using Xunit.Abstractions;
using static Forge.Tests.PodFence.PodFenceWorld;

namespace Forge.Tests.PodFence;

/// <summary>
/// The decider over random sequences of replica answers (polls). CsCheck prints the seed of a failing case; replay it
/// with the environment variable CsCheck_Seed (the seed in use is also written to the test output).
/// </summary>
public sealed class PodFenceDeciderPropertyTests(ITestOutputHelper output)
{
    private static readonly PodFenceSettings S = Settings();

    // a small universe so terms repeat across polls: 3 pools x 3 terms x 2 incarnations x 2 clusters x 2 pods
    private static readonly Gen<ReplicaQuietTerm> GenTerm =
        Gen.Select(Gen.Int[1, 3], Gen.Int[1, 3], Gen.Int[1, 2], Gen.Bool, Gen.Int[0, 1], Gen.Int[0, 60], Gen.Int[0, 9])
            .Select((pool, term, inc, own, pod, quietTenths, released) =>
                Quiet($"p{pool}", term, own ? Own : Other, $"cardano-bp-{pod}", inc, quietTenths / 10.0, released == 0));

    private static readonly Gen<ReplicaQuietTerms> GenAnswer =
        Gen.Frequency(
            (1, Gen.Const(Recovering())),
            (9, GenTerm.Array[0, 6].Select(ts => Answer([.. ts.DistinctBy(t => t.PoolId)]))));

    private static bool Eligible(ReplicaQuietTerm t) => t.Holder.Cluster == Own && !t.Released && t.QuietFor >= t.Ttl * S.QuietFraction;

    private static FencedTerm Key(ReplicaQuietTerm t) => new(t.PoolId, t.Term, t.Incarnation);

    [Fact]
    public void Fences_only_eligible_holders_once_per_continuously_reported_term()
    {
        output.WriteLine($"CsCheck_Seed={Environment.GetEnvironmentVariable("CsCheck_Seed") ?? "(random; printed on failure)"}");
        GenAnswer.Array[1, 12].Sample(polls =>
        {
            var fenced = ImmutableHashSet<FencedTerm>.Empty;
            var orderedSinceReported = new HashSet<FencedTerm>(); // keys ordered and reported quiet in every answer since
            foreach (var answer in polls)
            {
                var d = PodFenceDecider.Decide(answer, Own, fenced, S);
                Assert.Equal(d.Orders.Length, d.Orders.Select(o => o.Holder).Distinct().Count());
                foreach (var o in d.Orders)
                {
                    var t = answer.Terms.Single(x => x.PoolId == o.PoolId);
                    Assert.True(Eligible(t));
                    Assert.Equal((t.Term, t.Holder, t.Incarnation), (o.Term, o.Holder, o.Incarnation));
                    Assert.DoesNotContain(Key(t), orderedSinceReported);
                }
                if (answer.Recovering)
                {
                    Assert.Empty(d.Orders);
                    Assert.Equal(fenced, d.Fenced);
                }
                else
                {
                    var reported = answer.Terms.Select(Key).ToHashSet();
                    Assert.Subset(reported, d.Fenced.ToHashSet());
                    orderedSinceReported.IntersectWith(reported);
                    // every eligible term's holder is fenced now or was for this very key
                    foreach (var t in answer.Terms.Where(Eligible))
                        Assert.True(orderedSinceReported.Contains(Key(t)) || d.Orders.Any(o => o.Holder == t.Holder),
                            $"{t.Holder} (term {t.Term} of {t.PoolId}) quiet and not fenced");
                    foreach (var t in answer.Terms.Where(Eligible)) orderedSinceReported.Add(Key(t));
                    Assert.Equal(orderedSinceReported.ToHashSet(), d.Fenced.ToHashSet());
                }
                fenced = d.Fenced;
            }
        }, iter: 3000);
    }
}
