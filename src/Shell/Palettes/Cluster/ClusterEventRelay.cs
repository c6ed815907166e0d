using System.Threading.Channels;
using Akka.Actor;
using Akka.Cluster;

namespace Forge.Shell.Palettes.Cluster;

/// <summary>Subscribes to cluster events (current state first, as events) and hands them to a channel a shell
/// command reads. The command stops the relay when it is done; the relay never touches the command's state.</summary>
internal sealed class ClusterEventRelay : UntypedActor
{
    private readonly ChannelWriter<ClusterEvent.IClusterDomainEvent> _events;

    public ClusterEventRelay(ChannelWriter<ClusterEvent.IClusterDomainEvent> events) => _events = events;

    public static Props Props(ChannelWriter<ClusterEvent.IClusterDomainEvent> events) =>
        Akka.Actor.Props.Create(() => new ClusterEventRelay(events));

    protected override void PreStart() =>
        Akka.Cluster.Cluster.Get(Context.System).Subscribe(Self, ClusterEvent.SubscriptionInitialStateMode.InitialStateAsEvents,
            typeof(ClusterEvent.IMemberEvent), typeof(ClusterEvent.IReachabilityEvent), typeof(ClusterEvent.LeaderChanged));

    protected override void OnReceive(object message)
    {
        if (message is ClusterEvent.IClusterDomainEvent e) _events.TryWrite(e);
        else Unhandled(message);
    }

    protected override void PostStop()
    {
        Akka.Cluster.Cluster.Get(Context.System).Unsubscribe(Self);
        _events.TryComplete();
    }
}
