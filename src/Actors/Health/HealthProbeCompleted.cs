namespace Forge.Health;

/// <summary>
/// Published on the local EventStream after every probe of a cluster's health check (for metrics). The probers run
/// under the ForgeArbiter, so only the coordinator hosting the arbiter publishes these: counts summed across
/// coordinators stay true.
/// </summary>
/// <param name="Duration">How long the request took; null when no request was made (the endpoint is not an http(s) URL).</param>
public sealed record HealthProbeCompleted(string PoolId, string Cluster, bool Healthy, TimeSpan? Duration);
