namespace Forge.NodeAgent.Core;

/// <summary>Where the agent is with respect to a grant term.</summary>
internal enum AgentPhase
{
    /// <summary>No term: the node is (or is being kept) off.</summary>
    Idle,
    /// <summary>A Grant arrived; the agent asks the quorum to confirm it and forges nothing yet.</summary>
    Requesting,
    /// <summary>Holding a fresh permission: the fence holds its deadline; forging once the fence verified it.</summary>
    Holding,
    /// <summary>Told the fence to disable; Released goes out once the fence verified the node off.</summary>
    Releasing,
}
