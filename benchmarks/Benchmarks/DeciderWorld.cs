using System.Collections.Immutable;
using Forge.Decider;
using Forge.Protocol;

namespace Forge.Benchmarks;

/// <summary>1,000 pools × 3 regions × 2 nodes, each pool decided once so its state holds a forger; a "spec change" is
/// one pool's priorities swapped (the holder's cluster loses: forging moves at once).</summary>
public sealed class DeciderWorld
{
    public static readonly string[] Clusters = ["us-east-1-prod", "us-west-2-prod", "eu-west-1-prod"];
    private static readonly DateTimeOffset Epoch = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    public DeciderWorld(int pools)
    {
        Inputs = new DeciderInputs[pools];
        Changed = new DeciderInputs[pools];
        States = new DeciderState[pools];
        for (var p = 0; p < pools; p++)
        {
            Inputs[p] = Pool(p, [1, 2, 3]);
            Changed[p] = Pool(p, [3, 2, 1]);
            States[p] = ForgeDecider.Decide(DeciderState.Initial, Inputs[p], Now, DeciderSettings.Default).Next;
        }
    }

    public DeciderInputs[] Inputs { get; }
    public DeciderInputs[] Changed { get; }
    public DeciderState[] States { get; }
    public static DeciderNow Now => new(Epoch.AddHours(1), TimeSpan.FromHours(1));

    private static DeciderInputs Pool(int p, int[] priorities) => new($"pool{p:D6}", [
        .. Clusters.Select((c, i) => new ClusterInput(c, Epoch.AddSeconds(i),
            new ClusterSpec(c[..9], priorities[i], "Priority-based", HealthCheck: new HealthCheckSpec(true, "http://h/healthz", "30s", "5s", 3)),
            HealthObservation.None,
            [new NodeInput(new NodeId(c, "cardano-bp-0"), true, true, 1000, true), new NodeInput(new NodeId(c, "cardano-bp-1"), true, true, 999, true)])),
    ]);
}
