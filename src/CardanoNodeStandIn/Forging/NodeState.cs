using Forge.StandIn.Credentials;

namespace Forge.StandIn.Forging;

/// <summary>Everything the stand-in knows about itself; immutable, replaced under one lock by the runtime.</summary>
internal sealed record NodeState
{
    public bool KernelUp { get; init; }
    public bool Forging { get; init; }
    /// <summary>cardano-node issues 6113/6576: the forging metric reads 1 after a non-producing start until the first
    /// reconfiguration. Only set when the bug is asked for.</summary>
    public bool MetricBugActive { get; init; }
    /// <summary>The opcert of the credentials last loaded (at startup or by an enabling SIGHUP).</summary>
    public OperationalCertificate? OpCert { get; init; }
    public long TipSlot { get; init; }
    public long LastSlotSeen { get; init; } = -1;
    public long Forged { get; init; }
    public long NodeIsLeader { get; init; }
    public long NodeNotLeader { get; init; }
    public long AboutToLead { get; init; }
    public long CouldNotForge { get; init; }

    /// <summary>What <c>cardano_node_metrics_forging_enabled</c> reports (the truth, unless the bug is active).</summary>
    public bool ForgingMetric => Forging || MetricBugActive;
}
