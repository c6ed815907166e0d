using Forge.Protocol;

namespace Forge.Arbiter;

/// <summary>
/// Grants to send again on the pool's grant topic until their holder had time to take them: a pub-sub broadcast reaches
/// only the links subscribed at that moment, and after a region loss the new holder's agent is often re-linking just
/// then (its old link was to the lost region's coordinator: 4 s dead-link timeout), so it missed the one broadcast and
/// the term was replaced as never renewed 6 s later (a 9.3 s failover in the fault runner). A repeated grant is a
/// duplicate to an agent that has it. Each grant is repeated until its activation point plus one TTL. Pure; the
/// caller's clock.
/// </summary>
public sealed class GrantRebroadcast
{
    private readonly Dictionary<string, (Grant Grant, TimeSpan Until)> _grants = new(StringComparer.Ordinal);

    /// <summary>Remembers the newest grant per pool (a later grant for the pool replaces the earlier one).</summary>
    public void Add(Grant grant, TimeSpan now) => _grants[grant.PoolId] = (grant, now + grant.ActivationDelay + grant.Ttl);

    /// <summary>The grants to send again now; forgets those past their time.</summary>
    public IReadOnlyList<Grant> Due(TimeSpan now)
    {
        foreach (var pool in _grants.Where(g => g.Value.Until <= now).Select(g => g.Key).ToList()) _grants.Remove(pool);
        return [.. _grants.Values.Select(g => g.Grant)];
    }
}
