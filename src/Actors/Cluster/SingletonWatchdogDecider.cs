using System.Collections.Immutable;
using Akka.Cluster;

namespace Forge.Cluster;

/// <summary>A cluster singleton that must run on the oldest Up member holding <paramref name="Role"/>.</summary>
/// <param name="Name">Name for logs and metrics (e.g. <c>forge-arbiter</c>).</param>
/// <param name="Path">Local path of the singleton instance (not of its manager), e.g. <c>/user/forge-arbiter/forge-arbiter</c>.</param>
/// <param name="Role">The role its ClusterSingletonManager is started with.</param>
public sealed record WatchedSingleton(string Name, string Path, string Role);

/// <summary>One cluster member as the watchdog sees it.</summary>
/// <param name="Address">Unique address text; only identity.</param>
/// <param name="AgeRank">Position in Akka's age order among all members (0 = oldest; <c>Member.IsOlderThan</c>).</param>
/// <param name="Reachable">Not in the unreachable set.</param>
public sealed record WatchdogMember(string Address, MemberStatus Status, ImmutableHashSet<string> Roles, int AgeRank, bool Reachable);

/// <param name="Self">This member's unique address text.</param>
/// <param name="Resolved">Names of the watched singletons whose instance resolved locally at the last check.</param>
/// <param name="Now">Monotonic time.</param>
public sealed record WatchdogObservation(string Self, ImmutableArray<WatchdogMember> Members, ImmutableHashSet<string> Resolved, TimeSpan Now)
{
    /// <summary>Null when this member is in the membership and every member is Up and reachable (both watchdog rules
    /// act only then); otherwise why not.</summary>
    public string? NotConverged() =>
        Members.All(m => m.Address != Self) ? "this member is not in the membership (yet)"
        : Members.Count(m => m.Status != MemberStatus.Up || !m.Reachable) is > 0 and var n
            ? $"cluster not converged ({n} member(s) not Up or unreachable)"
            : null;
}

public enum WatchdogVerdictKind
{
    /// <summary>Every singleton this member must host runs here, or this member is not the one that must host any.</summary>
    Healthy,
    /// <summary>A singleton that must run here is missing, for less than the bound so far (starting, handing over).</summary>
    Waiting,
    /// <summary>A singleton that must run here has been missing for longer than the bound: restart this process.</summary>
    Restart,
}

/// <param name="MissingSince">Carry to the next decision: when each missing singleton was first seen missing here.</param>
public sealed record WatchdogVerdict(WatchdogVerdictKind Kind, ImmutableArray<string> Missing, string Reason,
    ImmutableDictionary<string, TimeSpan> MissingSince);

/// <summary>
/// Decides whether this coordinator must restart because a singleton that must run on it does not, and will not come
/// back by itself. Akka's ClusterSingletonManager in state <c>Oldest</c> obeys a <c>HandOverToMe</c> from any sender and
/// then stays in <c>End</c> for the rest of the process: a hand-over request meant for a removed incarnation at the same
/// host:port, delivered late to the restarted one, leaves the cluster without that singleton while this member is the
/// oldest (the sharding coordinator: no registration is acknowledged; the arbiter: nothing is decided).
/// Pure. Restart only when all of these held continuously for longer than <c>bound</c>:
/// <list type="bullet">
/// <item>the cluster is converged as far as this member sees it: every member Up and reachable (no joining, leaving,
/// exiting, down or unreachable member — a hand-over in progress always has one of these);</item>
/// <item>this member is the oldest member holding the singleton's role (where the manager must run it);</item>
/// <item>the singleton's instance does not resolve locally.</item>
/// </list>
/// Any other input resets that singleton's clock and leaves the process alone.
/// </summary>
public static class SingletonWatchdogDecider
{
    public static WatchdogVerdict Decide(WatchdogObservation o, ImmutableArray<WatchedSingleton> watched,
        ImmutableDictionary<string, TimeSpan> missingSince, TimeSpan bound)
    {
        var empty = ImmutableDictionary<string, TimeSpan>.Empty.WithComparers(StringComparer.Ordinal);
        if (o.NotConverged() is { } why)
            return new(WatchdogVerdictKind.Healthy, [], $"{why}: singletons may be moving", empty);

        var since = empty;
        var overdue = ImmutableArray.CreateBuilder<string>();
        foreach (var w in watched)
        {
            var oldest = o.Members.Where(m => m.Roles.Contains(w.Role)).MinBy(m => m.AgeRank);
            if (oldest?.Address != o.Self || o.Resolved.Contains(w.Name)) continue;
            var first = missingSince.TryGetValue(w.Name, out var t) ? t : o.Now;
            since = since.SetItem(w.Name, first);
            if (o.Now - first >= bound) overdue.Add(w.Name);
        }

        if (overdue.Count > 0)
        {
            var longest = o.Now - since.Values.Min();
            return new(WatchdogVerdictKind.Restart, overdue.ToImmutable(),
                $"singleton(s) [{string.Join(", ", overdue)}] not running on this member, the oldest of a converged cluster of " +
                $"{o.Members.Length} Up member(s), for {longest.TotalSeconds:0.#}s (bound {bound.TotalSeconds:0.#}s): their " +
                "ClusterSingletonManager will not start them again (state End after a stale hand-over)", since);
        }
        return since.IsEmpty
            ? new(WatchdogVerdictKind.Healthy, [], "every singleton that must run here runs here", since)
            : new(WatchdogVerdictKind.Waiting, [.. since.Keys.Order(StringComparer.Ordinal)],
                $"singleton(s) [{string.Join(", ", since.Keys.Order(StringComparer.Ordinal))}] not (yet) running on this member, the oldest", since);
    }
}
