namespace Forge.NodeAgent.Lease;

/// <summary>The Lease as the elector sees it (a narrow domain type; only <see cref="KubernetesLeaseStore"/> speaks
/// the Kubernetes API). <see cref="Version"/> is the resourceVersion for optimistic concurrency.</summary>
internal sealed record LeaseRecord(string Holder, DateTime? RenewTime, int Transitions, string Version);

/// <summary>The few Lease operations client-go's leader election needs.</summary>
internal interface ILeaseStore
{
    /// <summary>The current record, or null when the Lease does not exist.</summary>
    Task<LeaseRecord?> GetAsync(CancellationToken ct);
    /// <summary>Creates the Lease held by <paramref name="holder"/>; false on a conflict (someone else created it).</summary>
    Task<LeaseRecord?> CreateAsync(string holder, TimeSpan duration, CancellationToken ct);
    /// <summary>Writes over <paramref name="seen"/> (same resourceVersion); null on a conflict.</summary>
    Task<LeaseRecord?> UpdateAsync(LeaseRecord seen, string holder, bool newHolder, TimeSpan duration, CancellationToken ct);
}
