namespace Forge.NodeAgent.Node;

/// <summary>One reading of the node's Prometheus endpoint. Alive = it answered.</summary>
internal sealed record NodeObservation(bool Alive, long TipSlot, long CurrentSlot, int? KesPeriodsRemaining, bool? ForgingMetric)
{
    public static readonly NodeObservation Down = new(false, -1, -1, null, null);
}
