using Akka.Actor;
using Akka.Cluster;
using Akka.Event;
using AkkaCluster = Akka.Cluster.Cluster;

namespace Forge.Cluster;

/// <summary>Published on the local EventStream when a member is refused because its configured regions differ.</summary>
public sealed record CoordinatorRefused(string Address, string? Region, string? RegionList, string Reason);

/// <summary>
/// The join-time check of the configured region list: every coordinator carries the fingerprint of its
/// <c>forge.cluster.regions</c> as a role. The reference list is the oldest Up coordinator's; a member whose list
/// differs (or that carries none) is downed by the leader the moment it shows up (Joining), and a member that finds
/// itself different downs itself. Majorities of regions only mean something if every coordinator counts the same regions.
/// </summary>
public sealed class RegionListGuard : ReceiveActor
{
    private readonly AkkaCluster _cluster;
    private readonly string _mine;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly HashSet<UniqueAddress> _refused = [];

    public static Props Props(ForgeClusterSettings settings) =>
        Akka.Actor.Props.Create(() => new RegionListGuard(settings));

    public RegionListGuard(ForgeClusterSettings settings)
    {
        _cluster = AkkaCluster.Get(Context.System);
        _mine = ClusterRoles.RegionListFingerprint(settings.Regions);
        Receive<ClusterEvent.CurrentClusterState>(_ => Check());
        Receive<ClusterEvent.IMemberEvent>(_ => Check());
        Receive<ClusterEvent.LeaderChanged>(_ => Check());
    }

    protected override void PreStart() =>
        _cluster.Subscribe(Self, ClusterEvent.SubscriptionInitialStateMode.InitialStateAsSnapshot,
            typeof(ClusterEvent.IMemberEvent), typeof(ClusterEvent.LeaderChanged));

    protected override void PostStop() => _cluster.Unsubscribe(Self);

    private void Check()
    {
        var state = _cluster.State;
        var oldest = state.Members.Where(m => m.Status is MemberStatus.Up or MemberStatus.Leaving)
            .Aggregate((Member?)null, (best, m) => best is null || m.IsOlderThan(best) ? m : best);
        var reference = oldest is null ? _mine : ClusterRoles.RegionListOf(oldest.Roles);
        var self = _cluster.SelfUniqueAddress;
        var leader = state.Leader is { } l && l.Equals(self.Address);

        foreach (var m in state.Members)
        {
            if (m.Status is MemberStatus.Down or MemberStatus.Exiting or MemberStatus.Removed) continue;
            var theirs = ClusterRoles.RegionListOf(m.Roles);
            if (theirs == reference || _refused.Contains(m.UniqueAddress)) continue;
            var isSelf = m.UniqueAddress.Equals(self);
            if (!isSelf && !leader) continue;
            _refused.Add(m.UniqueAddress);
            var reason = theirs is null
                ? $"{m.Address} carries no '{ClusterRoles.RegionListPrefix}' role: it is not a forge coordinator or runs an old version"
                : $"{m.Address} (region {ClusterRoles.RegionOf(m.Roles) ?? "?"}) is configured with another forge.cluster.regions list " +
                  $"(fingerprint {theirs}) than the cluster (fingerprint {reference}); every coordinator must list the same regions";
            _log.Error("Refusing coordinator: {0}", reason);
            Context.System.EventStream.Publish(new CoordinatorRefused(m.Address.ToString(), ClusterRoles.RegionOf(m.Roles), theirs, reason));
            _cluster.Down(m.Address);
        }
    }
}
