using System.Collections.Immutable;
using Akka.Cluster;

namespace Forge.Cluster;

/// <summary>One row of <c>/cluster/members</c>.</summary>
/// <param name="Reachability">"reachable" or "unreachable" (seen unreachable by at least one member).</param>
/// <param name="Oldest">The oldest Up coordinator: the member that hosts the ForgeArbiter singleton.</param>
public sealed record MemberInfo(
    string Address,
    ImmutableArray<string> Roles,
    string? Region,
    bool Witness,
    string Status,
    string Reachability,
    bool Leader,
    bool Oldest,
    bool Self);

/// <summary>The membership as the <c>/cluster/members</c> route and the metrics read it.</summary>
public sealed record ClusterMembersSnapshot(string Self, string? Leader, string? ArbiterHost, ImmutableArray<MemberInfo> Members);

public static class ClusterMembersView
{
    public static ClusterMembersSnapshot Of(Akka.Cluster.Cluster cluster) => Of(cluster.State, cluster.SelfAddress);

    public static ClusterMembersSnapshot Of(ClusterEvent.CurrentClusterState state, Akka.Actor.Address self)
    {
        var unreachable = state.Unreachable.Select(m => m.UniqueAddress).ToImmutableHashSet();
        var oldest = OldestCoordinator(state);
        var rows = state.Members.Concat(state.Unreachable.Where(u => !state.Members.Contains(u)))
            .OrderBy(m => m.Address.ToString(), StringComparer.Ordinal)
            .Select(m => new MemberInfo(
                m.Address.ToString(),
                m.Roles.Order(StringComparer.Ordinal).ToImmutableArray(),
                ClusterRoles.RegionOf(m.Roles),
                m.Roles.Contains(ClusterRoles.Witness),
                m.Status.ToString(),
                unreachable.Contains(m.UniqueAddress) ? "unreachable" : "reachable",
                state.Leader is { } l && l.Equals(m.Address),
                oldest is not null && oldest.Equals(m),
                m.Address.Equals(self)))
            .ToImmutableArray();
        return new ClusterMembersSnapshot(self.ToString(), state.Leader?.ToString(), oldest?.Address.ToString(), rows);
    }

    /// <summary>Where a singleton of role <c>coordinator</c> runs (or is about to): the oldest Up coordinator.</summary>
    public static Member? OldestCoordinator(ClusterEvent.CurrentClusterState state) =>
        state.Members.Where(m => m.Status is MemberStatus.Up or MemberStatus.Leaving && m.HasRole(ClusterRoles.Coordinator))
            .Aggregate((Member?)null, (best, m) => best is null || m.IsOlderThan(best) ? m : best);
}
