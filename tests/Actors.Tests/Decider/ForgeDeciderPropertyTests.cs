using System.Collections.Immutable;
using CsCheck;
using Forge.Decider;
using Forge.Protocol;
using Xunit;
using Xunit.Abstractions;

namespace Forge.Tests.Decider;

/// <summary>
/// Properties of the decider over random pools. CsCheck prints the seed of a failing case; replay it by setting
/// the environment variable CsCheck_Seed (the seed in use is also written to the test output).
/// </summary>
public sealed class ForgeDeciderPropertyTests(ITestOutputHelper output)
{
    private const int Iterations = 3000;
    private static readonly DateTimeOffset T0 = new(2026, 11, 27, 8, 0, 0, TimeSpan.Zero);
    private static readonly string[] Names = ["us-east-1-prod", "us-west-2-prod", "eu-west-1-prod", "ap-south-1-prod"];
    private static readonly string?[] States = ["Priority-based", "Enabled", "Disabled", null, "Maybe"];

    private static readonly Gen<NodeInput> GenNode =
        Gen.Select(Gen.Int[0, 2], Gen.Bool, Gen.Bool, Gen.Long[0, 50], Gen.Bool)
            .Select((pod, alive, synced, tip, creds) => (pod, alive, synced, tip, creds))
            .Select(t => new NodeInput(new NodeId("x", $"cardano-bp-{t.pod}"), t.alive || t.tip % 3 == 0, t.synced || t.tip % 2 == 0, t.tip, t.creds || t.tip % 5 != 0));

    private static Gen<OverrideSpec?> GenOverride(bool withExpiry) =>
        Gen.Frequency(
            (3, Gen.Const<OverrideSpec?>((OverrideSpec?)null)),
            (2, Gen.Select(Gen.Bool, Gen.Int[-120, 120], Gen.Int[0, 4], Gen.OneOf(States))
                .Select((on, expiryMin, fp, fs) => (OverrideSpec?)new OverrideSpec(
                    on, "r",
                    withExpiry && expiryMin % 2 == 0 ? T0.AddMinutes(expiryMin).ToString("O") : null,
                    fp == 0 ? null : fp,
                    fs == "Maybe" ? null : fs))));

    private static Gen<ClusterInput> GenCluster(string name, bool withExpiry) =>
        Gen.Select(Gen.Int[0, 5], Gen.OneOf(States), GenOverride(withExpiry), Gen.Int[0, 4], GenNode.Array[0, 3], Gen.Int[0, 600])
            .Select((prio, state, ov, failures, nodes, seenSec) => new ClusterInput(
                name,
                T0.AddSeconds(seenSec),
                new ClusterSpec(prio == 5 ? null : "r-" + name, prio == 0 ? 1000 : prio, state == "Maybe" && prio % 2 == 0 ? null : state, ov,
                    new HealthCheckSpec(failures % 2 == 0, "http://h", FailureThreshold: 2)),
                new HealthObservation(failures),
                nodes.Select(n => n with { Id = new NodeId(name, n.Id.Pod) }).DistinctBy(n => n.Id).ToImmutableArray()));

    private static Gen<DeciderInputs> GenInputs(bool withExpiry) =>
        Gen.Select(Gen.Int[1, 4], GenCluster(Names[0], withExpiry), GenCluster(Names[1], withExpiry),
                GenCluster(Names[2], withExpiry), GenCluster(Names[3], withExpiry))
            .Select((n, a, b, c, d) => new DeciderInputs("pool1", new[] { a, b, c, d }.Take(n).ToImmutableArray()));

    private static readonly Gen<(DeciderInputs Inputs, NodeId? Holder)> GenWorld =
        GenInputs(withExpiry: true).SelectMany(i =>
            Gen.Int[0, 8].Select(k =>
            {
                var nodes = i.Clusters.SelectMany(c => c.Nodes).Select(n => (NodeId?)n.Id).ToList();
                return (i, k < nodes.Count ? nodes[k] : null);
            }));

    private static readonly DeciderNow Now = new(T0, TimeSpan.FromHours(5));

    private static ForgeDecision Decide(DeciderState s, DeciderInputs i, DeciderNow? now = null) =>
        ForgeDecider.Decide(s, i, now ?? Now, DeciderSettings.Default);

    private void Check<T>(Gen<T> gen, Action<T> property)
    {
        output.WriteLine($"CsCheck_Seed={Environment.GetEnvironmentVariable("CsCheck_Seed") ?? "(random; printed on failure)"}");
        gen.Sample(property, iter: Iterations);
    }

    [Fact]
    public void At_most_one_target_and_it_is_an_eligible_node_of_an_eligible_cluster() =>
        Check(GenWorld, w =>
        {
            var d = Decide(DeciderState.WithHolder(w.Holder), w.Inputs);
            var forging = d.Clusters.Where(c => c.Forging).ToList();
            Assert.True(forging.Count <= 1);
            Assert.True(d.Clusters.Count(c => c.ActiveLeader is not null) <= 1);
            if (d.Target is not { } t)
            {
                Assert.Empty(forging);
                return;
            }
            var cluster = w.Inputs.Clusters.Single(c => c.Name == t.Cluster);
            var node = cluster.Nodes.Single(n => n.Id == t);
            Assert.True(node is { Alive: true, Synced: true, CredentialsCurrent: true });
            var verdict = d.Cluster(t.Cluster)!;
            Assert.True(verdict.Eligible);
            Assert.NotEqual("Disabled", verdict.EffectiveState);
            Assert.Equal("False", verdict.Condition(ConditionTypes.SpecInvalid)!.Status);
            Assert.Equal(t, verdict.ActiveLeader);
        });

    [Fact]
    public void Input_order_does_not_matter() =>
        Check(GenWorld.SelectMany(w => Gen.Int.Select(seed => (w.Inputs, w.Holder, seed))), w =>
        {
            var rng = new Random(w.seed);
            var shuffled = w.Inputs with
            {
                Clusters = w.Inputs.Clusters
                    .Select(c => c with { Nodes = c.Nodes.OrderBy(_ => rng.Next()).ToImmutableArray() })
                    .OrderBy(_ => rng.Next()).ToImmutableArray(),
            };
            var a = Decide(DeciderState.WithHolder(w.Holder), w.Inputs);
            var b = Decide(DeciderState.WithHolder(w.Holder), shuffled);
            Assert.Equal(a.Target, b.Target);
            Assert.Equal(Summary(a), Summary(b));
        });

    [Fact]
    public void Repeated_calls_with_unchanged_inputs_never_move_forging() =>
        Check(GenWorld, w =>
        {
            var first = Decide(DeciderState.WithHolder(w.Holder), w.Inputs);
            var state = first.Next;
            for (var i = 1; i <= 3; i++)
            {
                // Time passes, but less than any failback delay: nothing may move.
                var d = Decide(state, w.Inputs, new DeciderNow(Now.Wall, Now.Monotonic + TimeSpan.FromSeconds(i * 10)));
                Assert.Equal(first.Target, d.Target);
                Assert.False(d.Moved);
                state = d.Next;
            }
        });

    [Fact]
    public void Wall_time_matters_only_through_expiresAt() =>
        Check(GenInputs(withExpiry: false).SelectMany(i => Gen.Int[-100_000, 100_000].Select(shift => (i, shift))), w =>
        {
            var a = Decide(DeciderState.Initial, w.i);
            var shifted = new DeciderNow(Now.Wall.AddMinutes(w.shift), Now.Monotonic);
            var b = Decide(DeciderState.Initial, w.i, shifted);
            Assert.Equal(a.Target, b.Target);
            Assert.Equal(Summary(a), Summary(b));
        });

    private static string Summary(ForgeDecision d) => string.Join(";", d.Clusters.OrderBy(c => c.Name, StringComparer.Ordinal)
        .Select(c => $"{c.Name}:{c.EffectiveState}:{c.EffectivePriority}:{c.Eligible}:{c.Healthy}:{c.Forging}:{c.Reason}:" +
                     string.Join(",", c.Conditions.Select(x => $"{x.Type}={x.Status}"))));
}
