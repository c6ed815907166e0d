using Forge.StandIn.Credentials;

namespace Forge.StandIn.Forging;

/// <summary>What a SIGHUP did to block forging.</summary>
internal enum SighupOutcome
{
    /// <summary>Before the node kernel is up: only the topology is reloaded.</summary>
    TopologyOnly,
    Enabled,
    Disabled,
    /// <summary><c>BlockForgingUpdateError</c>: the state is left as it was.</summary>
    Error,
}

/// <summary>
/// cardano-node's dynamic block forging rules (8.7.2 and later) as a pure function: after the kernel is up a SIGHUP
/// rebuilds forging from the files — all valid → on, one missing → off, any other problem → error, unchanged.
/// </summary>
internal static class ForgingReconfiguration
{
    public static (NodeState State, SighupOutcome Outcome) OnSighup(NodeState state, Func<CredentialCheck> readCredentials)
    {
        if (!state.KernelUp) return (state, SighupOutcome.TopologyOnly);

        return readCredentials() switch
        {
            CredentialCheck.Valid v => (state with { Forging = true, MetricBugActive = false, OpCert = v.OpCert }, SighupOutcome.Enabled),
            CredentialCheck.Missing => (state with { Forging = false, MetricBugActive = false }, SighupOutcome.Disabled),
            _ => (state, SighupOutcome.Error),
        };
    }

    /// <summary>The kernel comes up: a producing start forges from here, a non-producing one does not.</summary>
    public static NodeState OnKernelUp(NodeState state, bool startNonProducing, bool metricBug) =>
        state with { KernelUp = true, Forging = !startNonProducing, MetricBugActive = startNonProducing && metricBug };

    /// <summary>One slot: counts the leadership check and forges when leading, forging and up.</summary>
    public static (NodeState State, bool Forged) OnSlot(NodeState state, long slot, bool isLeader, long tipSlot)
    {
        if (slot <= state.LastSlotSeen) return (state with { TipSlot = tipSlot }, false);
        var next = state with { LastSlotSeen = slot, TipSlot = tipSlot };
        if (!state.KernelUp || !state.Forging) return (next, false);
        if (!isLeader) return (next with { NodeNotLeader = next.NodeNotLeader + 1 }, false);
        next = next with
        {
            AboutToLead = next.AboutToLead + 1,
            NodeIsLeader = next.NodeIsLeader + 1,
            Forged = next.Forged + 1,
            TipSlot = Math.Max(tipSlot, slot),
        };
        return (next, true);
    }
}
