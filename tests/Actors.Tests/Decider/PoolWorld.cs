using System.Collections.Immutable;
using Forge.Decider;
using Forge.Protocol;

namespace Forge.Tests.Decider;

/// <summary>A mutable test world for one pool: clusters, their nodes and health, a clock, and the decider's
/// carried state. Each <see cref="Step"/> runs the decider once, like the arbiter does.</summary>
internal sealed class PoolWorld
{
    public static readonly DateTimeOffset T0 = new(2026, 11, 27, 8, 0, 0, TimeSpan.Zero);

    private readonly Dictionary<string, ClusterInput> _clusters = new(StringComparer.Ordinal);

    public DeciderSettings Settings { get; init; } = DeciderSettings.Default;
    public DeciderState State { get; set; } = DeciderState.Initial;
    public DateTimeOffset Wall { get; private set; } = T0;
    public TimeSpan Mono { get; private set; } = TimeSpan.FromHours(1);
    public ForgeDecision? Last { get; private set; }

    /// <summary>The guide's three regions, all Priority-based, two synced nodes each.</summary>
    public static PoolWorld Guide()
    {
        var w = new PoolWorld();
        w.Add("us-east-1-prod", "us-east-1", 1);
        w.Add("us-west-2-prod", "us-west-2", 2);
        w.Add("eu-west-1-prod", "eu-west-1", 3);
        return w;
    }

    public PoolWorld Add(string name, string region, int priority, string? state = null, int nodes = 2)
    {
        var ns = Enumerable.Range(0, nodes)
            .Select(i => new NodeInput(new NodeId(name, $"cardano-bp-{i}"), true, true, 1000 - i, true))
            .ToImmutableArray();
        _clusters[name] = new ClusterInput(name, T0.AddMinutes(_clusters.Count), new ClusterSpec(region, priority, state),
            HealthObservation.None, ns);
        return this;
    }

    public ClusterInput this[string name] => _clusters[name];

    public PoolWorld Spec(string name, Func<ClusterSpec, ClusterSpec> change)
    {
        _clusters[name] = _clusters[name] with { Spec = change(_clusters[name].Spec!) };
        return this;
    }

    public PoolWorld RawSpec(string name, ClusterSpec? spec)
    {
        _clusters[name] = _clusters[name] with { Spec = spec };
        return this;
    }

    public PoolWorld Health(string name, int consecutiveFailures)
    {
        _clusters[name] = _clusters[name] with { Health = new HealthObservation(consecutiveFailures, Wall, "probe") };
        return this;
    }

    public PoolWorld Node(string name, int index, Func<NodeInput, NodeInput> change)
    {
        var c = _clusters[name];
        _clusters[name] = c with { Nodes = c.Nodes.SetItem(index, change(c.Nodes[index])) };
        return this;
    }

    public PoolWorld AllNodes(string name, Func<NodeInput, NodeInput> change)
    {
        var c = _clusters[name];
        _clusters[name] = c with { Nodes = c.Nodes.Select(change).ToImmutableArray() };
        return this;
    }

    public PoolWorld Delete(string name)
    {
        _clusters.Remove(name);
        return this;
    }

    public PoolWorld Advance(TimeSpan by)
    {
        Wall += by;
        Mono += by;
        return this;
    }

    public DeciderInputs Inputs => new("pool1", _clusters.Values.ToImmutableArray());

    public ForgeDecision Step()
    {
        Last = ForgeDecider.Decide(State, Inputs, new DeciderNow(Wall, Mono), Settings);
        State = Last.Next;
        return Last;
    }

    /// <summary>Steps until the target stops changing (at most a few rounds) and returns the last decision.</summary>
    public ForgeDecision Settle()
    {
        var d = Step();
        for (var i = 0; i < 5 && d.Moved; i++) d = Step();
        return d;
    }

    public static NodeId Id(string text) => NodeId.Parse(text);
}
