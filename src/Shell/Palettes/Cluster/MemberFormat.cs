using Akka.Actor;
using Akka.Cluster;

namespace Forge.Shell.Palettes.Cluster;

/// <summary>How members and cluster events read in the shell.</summary>
internal static class MemberFormat
{
    private const string RegionRolePrefix = "region:"; // Forge.Cluster.ClusterRoles.RegionPrefix

    public static string Region(Member m) =>
        m.Roles.FirstOrDefault(r => r.StartsWith(RegionRolePrefix, StringComparison.Ordinal))?[RegionRolePrefix.Length..] ?? "-";

    public static string Roles(Member m) => m.Roles.IsEmpty ? "-" : string.Join(',', m.Roles.Order(StringComparer.Ordinal));

    public static string Line(Member m, bool reachable) =>
        $"{m.Address} | roles: {Roles(m)} | region: {Region(m)} | status: {m.Status} | {(reachable ? "reachable" : "UNREACHABLE")}";

    public static string Event(ClusterEvent.IClusterDomainEvent e) => e switch
    {
        ClusterEvent.MemberStatusChange m => $"{EventName(e)} {m.Member.Address} (roles: {Roles(m.Member)}, status: {m.Member.Status})",
        ClusterEvent.UnreachableMember u => $"Unreachable {u.Member.Address}",
        ClusterEvent.ReachableMember r => $"Reachable {r.Member.Address}",
        ClusterEvent.LeaderChanged l => $"LeaderChanged {Describe(l.Leader)}",
        ClusterEvent.RoleLeaderChanged r => $"RoleLeaderChanged {r.Role}: {Describe(r.Leader)}",
        _ => e.GetType().Name,
    };

    private static string EventName(ClusterEvent.IClusterDomainEvent e) => e.GetType().Name;

    public static string Describe(Address? a) => a?.ToString() ?? "(none)";
}
