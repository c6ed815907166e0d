namespace Forge.Benchmarks.Scale;

/// <summary>Message counts at the scale world's boundaries, read as deltas over a window (Interlocked: actors of
/// several threads add to them).</summary>
public sealed class ScaleCounters
{
    public long AgentToCoordinator;
    public long CoordinatorToAgent;
    public long ArbiterIn;
    public long ArbiterOut;
    public long ReplicaIn;
    public long ReplicaWrites;
    public long GrantRounds;   // grant messages to the replicas (a lone grant or a batch)
    public long GrantsProposed; // grants they carried
    public long Renewals;
    public long SpecWrites;

    public ScaleCounters Snapshot() => new()
    {
        AgentToCoordinator = Interlocked.Read(ref AgentToCoordinator),
        CoordinatorToAgent = Interlocked.Read(ref CoordinatorToAgent),
        ArbiterIn = Interlocked.Read(ref ArbiterIn),
        ArbiterOut = Interlocked.Read(ref ArbiterOut),
        ReplicaIn = Interlocked.Read(ref ReplicaIn),
        ReplicaWrites = Interlocked.Read(ref ReplicaWrites),
        GrantRounds = Interlocked.Read(ref GrantRounds),
        GrantsProposed = Interlocked.Read(ref GrantsProposed),
        Renewals = Interlocked.Read(ref Renewals),
        SpecWrites = Interlocked.Read(ref SpecWrites),
    };
}
