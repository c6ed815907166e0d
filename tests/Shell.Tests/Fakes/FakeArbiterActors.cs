using System.Collections.Immutable;
using Akka.Actor;
using Akka.Cluster.Tools.PublishSubscribe;
using Forge.Arbiter;
using Forge.Decider;
using Forge.Nodes;
using Forge.Protocol;
using Forge.Specs;

namespace Forge.Shell.Tests.Fakes;

/// <summary>Stands in for the ForgeArbiter singleton with its real protocol: answers ListPools/GetPoolState from a
/// scripted <see cref="PoolState"/> and publishes it on the arbiter's topic when told to.</summary>
internal sealed class FakeArbiter : ReceiveActor
{
    public sealed record SetState(PoolState State, bool Publish);

    public FakeArbiter(PoolState initial, IActorRef mediator)
    {
        var state = initial;
        Receive<ListPools>(_ => Sender.Tell(new PoolList([new PoolSummary(state.PoolId, state.Target, state.Holder, state.Term, state.Phase)])));
        Receive<GetPoolState>(_ => Sender.Tell(state));
        Receive<SetState>(s =>
        {
            state = s.State;
            if (s.Publish) mediator.Tell(new Publish(ArbiterTopics.PoolState, new PoolStateChanged(state)));
        });
    }
}

/// <summary>Stands in for a coordinator's SpecStore: GetPoolSpecs, SubscribeSpecs, and replacement of the specs.</summary>
internal sealed class FakeSpecStore : ReceiveActor
{
    public FakeSpecStore(PoolSpecs initial)
    {
        var specs = initial;
        var subscribers = new HashSet<IActorRef>();
        Receive<GetPoolSpecs>(_ => Sender.Tell(specs));
        Receive<SubscribeSpecs>(_ =>
        {
            subscribers.Add(Sender);
            Sender.Tell(specs);
        });
        Receive<PoolSpecs>(p =>
        {
            specs = p;
            foreach (var s in subscribers) s.Tell(p);
        });
    }
}

/// <summary>Builders of the arbiter's real state records for a two-cluster pool.</summary>
internal static class ArbiterStates
{
    public const string Pool = "pool1";
    public static readonly NodeId East = new("us-east-1-prod", "cardano-bp-0");
    public static readonly NodeId West = new("us-west-2-prod", "cardano-bp-0");
    private static readonly DateTimeOffset Seen = DateTimeOffset.UtcNow.AddDays(-1);

    public static PoolSpecs PoolSpecsOf(ClusterSpec? westOverride = null) => new(Pool, ImmutableDictionary<string, SpecEntry>.Empty
        .Add(East.Cluster, new SpecEntry(Pool, East.Cluster, new ClusterSpec("us-east-1", 1), false, 1, Seen, Seen, "test"))
        .Add(West.Cluster, new SpecEntry(Pool, West.Cluster, westOverride ?? new ClusterSpec("us-west-2", 2), false, 1, Seen, Seen, "test")));

    public static PoolState State(NodeId? target, NodeId? holder, TermId term, string phase, NodeId? verified, string westState,
        ImmutableArray<PoolTransition> history) =>
        new(Pool, target, holder, Guid.NewGuid(), term, phase, "spec change", [Verdict(East, "Priority-based", 1, target), Verdict(West, westState, 2, target)],
            [Node(East, verified == East, term), Node(West, verified == West, term)], history, DateTimeOffset.UtcNow);

    private static ClusterVerdict Verdict(NodeId node, string state, int priority, NodeId? target) =>
        new(node.Cluster, state, priority, true, true, target == node, target == node ? node : null,
            target == node ? "Forging" : "Standby", target == node ? "forging" : "standing by", []);

    private static NodeView Node(NodeId node, bool on, TermId term) =>
        new(Pool, node, node.Cluster[..9], Guid.NewGuid(), true, true, true, 1000, 1001, on ? VerifiedForging.On : VerifiedForging.Off,
            SignalOutcome.Verified, 57, on ? term : TermId.None, new CredentialFingerprint("ab", 3, 100, 57), null, "coordinator-0",
            DateTimeOffset.UtcNow, SignalAt);

    /// <summary>When the nodes' agents saw their last SIGHUP's outcome.</summary>
    public static readonly DateTimeOffset SignalAt = new(2026, 11, 27, 9, 15, 0, TimeSpan.Zero);
}
