using Akka.Actor;
using Akka.Cluster.Tools.PublishSubscribe;

namespace Forge.Benchmarks.Scale;

/// <summary>DistributedPubSub's mediator within one process: topics, subscribers, counted publishes.</summary>
public sealed class SimMediator : ReceiveActor
{
    private readonly Dictionary<string, List<IActorRef>> _topics = new(StringComparer.Ordinal);

    public static Props Props(Action count) => Akka.Actor.Props.Create(() => new SimMediator(count));

    public SimMediator(Action count)
    {
        Receive<Subscribe>(s =>
        {
            if (!_topics.TryGetValue(s.Topic, out var list)) _topics[s.Topic] = list = [];
            list.Add(s.Ref);
            Sender.Tell(new SubscribeAck(s));
        });
        Receive<Publish>(p =>
        {
            count();
            if (_topics.TryGetValue(p.Topic, out var list))
                foreach (var s in list) s.Tell(p.Message);
        });
    }
}
