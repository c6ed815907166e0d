using Forge.Protocol;

namespace Forge.Transport;

/// <summary>
/// An agent-link connection whose reader runs from the start and holds what arrives until <see cref="Deliver"/> says
/// where it goes: a connection tried beside the current one (an agent going back to its region's coordinator) keeps its
/// messages until it takes over, and shows whether the coordinator there answered its registration.
/// </summary>
internal sealed class LiveConnection
{
    private readonly object _gate = new();
    private readonly TaskCompletionSource<bool> _answered = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private List<IAgentProtocolMessage>? _held = [];
    private Action<IAgentProtocolMessage>? _sink;
    private int _answersToDrop;

    /// <summary>Starts reading <paramref name="connection"/>; its registration must already be queued.</summary>
    public LiveConnection(FramedConnection connection, int index, CancellationToken ct)
    {
        Connection = connection;
        Index = index;
        Run = connection.RunAsync(OnMessage, ct);
    }

    public FramedConnection Connection { get; }

    /// <summary>The endpoint's place in the link's list (0: the agent's region's coordinator).</summary>
    public int Index { get; }

    /// <summary>Ends with the reason the connection closed.</summary>
    public Task<string> Run { get; }

    /// <summary>True once a registration was acknowledged here, false once one was refused.</summary>
    public Task<bool> Registered => _answered.Task;

    /// <summary>Sends a registration the agent did not ask for (taking its registration back after a connection tried
    /// beside this one was not taken); its answer is dropped, so the agent's count of answers stays its own.</summary>
    public void Reregister(RegisterAgent registration)
    {
        lock (_gate) _answersToDrop++;
        if (!Connection.Send(registration))
            lock (_gate) _answersToDrop--;
    }

    /// <summary>From now on messages go to <paramref name="sink"/>, those held so far first.</summary>
    public void Deliver(Action<IAgentProtocolMessage> sink)
    {
        lock (_gate)
        {
            foreach (var m in _held!) sink(m);
            _held = null;
            _sink = sink;
        }
    }

    private void OnMessage(IAgentProtocolMessage m)
    {
        var answer = m is AgentRegistered or AgentRefused;
        if (answer) _answered.TrySetResult(m is AgentRegistered);
        lock (_gate)
        {
            if (answer && _answersToDrop > 0)
            {
                _answersToDrop--;
                return;
            }
            if (_sink is null) _held!.Add(m);
            else _sink(m);
        }
    }
}
