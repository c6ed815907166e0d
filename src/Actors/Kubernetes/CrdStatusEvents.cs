namespace Forge.Kubernetes;

// Published on the local EventStream by the region's CrdProjection (a singleton of the region's coordinators), for
// the forge_coordinator_crd_status_last_sync_timestamp_seconds series.

/// <summary>The projection confirmed that <paramref name="Cluster"/>'s status in its region's Kubernetes matches the
/// arbiter's state: it wrote it, or found nothing to write (every resync, so at least every resync interval).</summary>
public sealed record CrdStatusSynced(string Region, string Cluster, DateTimeOffset At);

/// <summary>The projection first saw <paramref name="Cluster"/> in its region, before any confirmation: a status that
/// is never confirmed (no RBAC, no arbiter) still ages from here.</summary>
public sealed record CrdClusterTracked(string Region, string Cluster, DateTimeOffset Since);

/// <summary><paramref name="Cluster"/> is gone from the projection's region.</summary>
public sealed record CrdClusterUntracked(string Region, string Cluster);
