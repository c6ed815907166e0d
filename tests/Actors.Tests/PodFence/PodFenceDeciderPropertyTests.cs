using CsCheck;
using Forge.Grants;
using Forge.PodFence;
using Xunit;
using Xunit.Abstractions;
using static Forge.Tests.PodFence.PodFenceWorld;

namespace Forge.Tests.PodFence;

/// <summary>
/// The decider over random sequences of replica answers (polls at random intervals). CsCheck prints the seed of a
/// failing case; replay it with the environment variable CsCheck_Seed (the seed in use is also written to the output).
/// </summary>
public sealed class PodFenceDeciderPropertyTests(ITestOutputHelper output)
{
    private static readonly PodFenceSettings S = Settings();
    private static readonly TimeSpan Fire = Ttl * S.QuietFraction;

    // a small universe so terms repeat and replace each other across polls: 3 pools x 3 terms x 2 incarnations x 2 clusters x 2 pods
    private static readonly Gen<ReplicaQuietTerm> GenTerm =
        Gen.Select(Gen.Int[1, 3], Gen.Int[1, 3], Gen.Int[1, 2], Gen.Bool, Gen.Int[0, 1], Gen.Int[0, 60], Gen.Int[0, 9])
            .Select((pool, term, inc, own, pod, quietTenths, released) =>
                Quiet($"p{pool}", term, own ? Own : Other, $"cardano-bp-{pod}", inc, quietTenths / 10.0, released == 0));

    private static readonly Gen<(ReplicaQuietTerms Answer, int StepMs)> GenPoll =
        Gen.Select(Gen.Frequency(
                (1, Gen.Const(Recovering())),
                (9, GenTerm.Array[0, 6].Select(ts => Answer([.. ts.DistinctBy(t => t.PoolId)])))),
            Gen.Int[50, 1500]);

    private static bool Ours(ReplicaQuietTerm t) => t.Holder.Cluster == Own && !t.Released;

    private static FencedTerm Key(ReplicaQuietTerm t) => new(t.PoolId, t.Term, t.Incarnation);

    [Fact]
    public void Fences_only_quiet_holders_of_its_cluster_once_while_they_stay_quiet()
    {
        output.WriteLine($"CsCheck_Seed={Environment.GetEnvironmentVariable("CsCheck_Seed") ?? "(random; printed on failure)"}");
        GenPoll.Array[1, 14].Sample(polls =>
        {
            var memory = PodFenceMemory.Empty;
            var now = TimeSpan.FromSeconds(100);
            var lastSeen = new Dictionary<FencedTerm, (ReplicaQuietTerm Term, TimeSpan At)>();
            var stillFenced = new HashSet<FencedTerm>(); // ordered, and reported quiet at every poll since
            foreach (var (answer, stepMs) in polls)
            {
                now += TimeSpan.FromMilliseconds(stepMs);
                var d = PodFenceDecider.Decide(answer, Own, memory, S, now);
                Assert.Equal(d.Orders.Length, d.Orders.Select(o => o.Holder).Distinct().Count());
                foreach (var o in d.Orders)
                {
                    var key = new FencedTerm(o.PoolId, o.Term, o.Incarnation);
                    Assert.DoesNotContain(key, stillFenced);
                    Assert.True(o.QuietFor >= Fire, $"{o.Holder} fenced after {o.QuietFor}");
                    Assert.Equal(Own, o.Holder.Cluster);
                    var now1 = now;
                    if (answer.Terms.SingleOrDefault(t => Key(t) == key) is { } t)
                        Assert.True(Ours(t) && t.QuietFor == o.QuietFor, $"{key}: reported {t}, ordered {o}");
                    else // a replaced term: seen ours and already quiet, its quiet time carried on from that sighting
                        Assert.True(lastSeen.TryGetValue(key, out var seen) && Ours(seen.Term)
                                    && seen.Term.QuietFor >= Ttl * PodFenceDecider.FollowFraction
                                    && o.QuietFor == seen.Term.QuietFor + (now1 - seen.At), $"{key} fenced unseen or unquiet");
                }
                if (answer.Recovering)
                {
                    Assert.Empty(d.Orders);
                    Assert.Equal(memory, d.Memory);
                    continue;
                }
                var eligible = answer.Terms.Where(t => Ours(t) && t.QuietFor >= Fire).ToList();
                foreach (var t in eligible)
                    Assert.True(stillFenced.Contains(Key(t)) || d.Orders.Any(o => o.Holder == t.Holder),
                        $"{t.Holder} (term {t.Term} of {t.PoolId}) quiet for {t.QuietFor} and not fenced");
                stillFenced = [.. eligible.Select(Key)]; // each is fenced (asserted above) and stays so while reported quiet
                foreach (var t in answer.Terms) lastSeen[Key(t)] = (t, now);
                memory = d.Memory;
            }
        }, iter: 3000);
    }
}
