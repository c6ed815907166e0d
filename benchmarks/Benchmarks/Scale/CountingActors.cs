using System.Diagnostics;
using Akka.Actor;
using Forge.Grants;

namespace Forge.Benchmarks.Scale;

/// <summary>Stands in front of an actor and counts what passes; <paramref name="replyVia"/>, when set, is the sender
/// the target sees (so its answers come back through a counting proxy too).</summary>
public sealed class CountingProxy : ReceiveActor
{
    /// <param name="count">Called with each message before it is forwarded (counters, stage timestamps).</param>
    public static Props Props(Func<IActorRef> target, Action<object> count, Func<IActorRef>? replyVia = null) =>
        Akka.Actor.Props.Create(() => new CountingProxy(target, count, replyVia));

    public CountingProxy(Func<IActorRef> target, Action<object> count, Func<IActorRef>? replyVia)
    {
        ReceiveAny(m =>
        {
            count(m);
            target().Tell(m, replyVia?.Invoke() ?? Sender);
        });
    }
}

/// <summary>A replica reference that counts the messages sent to it (no extra mailbox hop), and the grant rounds and
/// the grants they carry.</summary>
public sealed class CountingReplicaRef(IActorRef replica, ScaleCounters counters) : ICanTell
{
    public void Tell(object message, IActorRef sender)
    {
        Interlocked.Increment(ref counters.ReplicaIn);
        var grants = message switch
        {
            ReplicaAcceptGrant => 1,
            ReplicaAcceptGrantBatch b => b.Grants.Length,
            _ => 0,
        };
        if (grants > 0)
        {
            Interlocked.Increment(ref counters.GrantRounds);
            Interlocked.Add(ref counters.GrantsProposed, grants);
        }
        replica.Tell(message, sender);
    }
}

/// <summary>The production file store (fsync before the answer), counting and timing its writes.</summary>
public sealed class CountingReplicaStore(IReplicaStore inner, ScaleCounters counters, Samples writeMs) : IReplicaStore
{
    public ReplicaState? Load(TimeSpan now) => inner.Load(now);

    public void Save(ReplicaState state, TimeSpan now) => Timed(() => inner.Save(state, now));

    public void SaveChanges(ReplicaState state, IReadOnlyCollection<string> pools, TimeSpan now) =>
        Timed(() => inner.SaveChanges(state, pools, now));

    private void Timed(Action write)
    {
        var started = Stopwatch.GetTimestamp();
        write();
        writeMs.Add(Stopwatch.GetElapsedTime(started));
        Interlocked.Increment(ref counters.ReplicaWrites);
    }
}

/// <summary>Takes anything and does nothing (where the arbiter's outputs are not under test).</summary>
public sealed class Sink : ReceiveActor
{
    public static Props Props() => Akka.Actor.Props.Create(() => new Sink());

    public Sink() => ReceiveAny(_ => { });
}
