using System.Threading.Channels;
using Akka.Actor;
using Akka.Cluster.Tools.PublishSubscribe;
using Forge.Arbiter;
using Forge.Specs;

namespace Forge.Shell.Palettes.Forge;

/// <summary>Turns the arbiter's <see cref="PoolStateChanged"/> publications and the spec store's changes into
/// "something changed" signals for a waiting shell command (which then reads a fresh snapshot).</summary>
internal sealed class ArbiterChangeRelay : ReceiveActor
{
    private readonly IActorRef _mediator;
    private readonly IActorRef _specStore;

    public ArbiterChangeRelay(IActorRef mediator, IActorRef specStore, ChannelWriter<bool> changed)
    {
        _mediator = mediator;
        _specStore = specStore;
        Receive<SubscribeAck>(_ => { });
        Receive<PoolStateChanged>(_ => changed.TryWrite(true));
        Receive<PoolSpecs>(_ => changed.TryWrite(true));
    }

    public static Props Props(IActorRef mediator, IActorRef specStore, ChannelWriter<bool> changed) =>
        Akka.Actor.Props.Create(() => new ArbiterChangeRelay(mediator, specStore, changed));

    protected override void PreStart()
    {
        _mediator.Tell(new Subscribe(ArbiterTopics.PoolState, Self));
        _specStore.Tell(SubscribeSpecs.Instance); // the store watches its subscribers: stopping unsubscribes
    }

    protected override void PostStop() => _mediator.Tell(new Unsubscribe(ArbiterTopics.PoolState, Self));
}
