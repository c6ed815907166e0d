using System.Collections.Immutable;
using Akka.Actor;
using Akka.Cluster;
using Akka.Event;
using AkkaCluster = Akka.Cluster.Cluster;

namespace Forge.Cluster;

/// <summary>
/// Acts on <see cref="RegionMajority"/>: once membership and reachability have been unchanged for
/// <see cref="ForgeClusterSettings.StableAfter"/>, the leader of each side decides and downs either the unreachable
/// members or its own side. If the membership keeps changing for stable-after + down-all-when-unstable, the side
/// downs itself (flapping links must not keep a half-connected cluster alive). Only the side's leader acts.
/// </summary>
public sealed class RegionDowningActor : ReceiveActor, IWithTimers
{
    private sealed class Tick
    {
        public static readonly Tick Instance = new();
        private Tick() { }
    }

    private readonly ForgeClusterSettings _settings;
    private readonly AkkaCluster _cluster;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private string _fingerprint = "";
    private TimeSpan _lastChange;
    private TimeSpan? _unstableSince;
    private string? _actedOn;

    public ITimerScheduler Timers { get; set; } = null!;

    public static Props Props(ForgeClusterSettings settings, AkkaCluster cluster) =>
        Akka.Actor.Props.Create(() => new RegionDowningActor(settings, cluster)).WithDeploy(Deploy.Local);

    public RegionDowningActor(ForgeClusterSettings settings, AkkaCluster cluster)
    {
        _settings = settings;
        _cluster = cluster;
        Receive<Tick>(_ => OnTick());
        Receive<ClusterEvent.IClusterDomainEvent>(_ => OnTick());
    }

    private TimeSpan Now => Context.System.Scheduler.MonotonicClock;

    protected override void PreStart()
    {
        _lastChange = Now;
        var tick = TimeSpan.FromTicks(Math.Max(TimeSpan.FromMilliseconds(100).Ticks, _settings.StableAfter.Ticks / 4));
        Timers.StartPeriodicTimer("tick", Tick.Instance, tick);
        _cluster.Subscribe(Self, ClusterEvent.SubscriptionInitialStateMode.InitialStateAsSnapshot,
            typeof(ClusterEvent.IMemberEvent), typeof(ClusterEvent.IReachabilityEvent));
    }

    protected override void PostStop() => _cluster.Unsubscribe(Self);

    private void OnTick()
    {
        var state = _cluster.State;
        var live = state.Members
            .Where(m => m.Status is MemberStatus.Up or MemberStatus.Leaving or MemberStatus.Joining or MemberStatus.WeaklyUp)
            .ToImmutableArray();
        var unreachable = state.Unreachable.Select(m => m.UniqueAddress).ToImmutableHashSet();
        var self = _cluster.SelfUniqueAddress;
        var members = live.Select(m => new RegionMember(
            m.UniqueAddress.ToString(),
            ClusterRoles.RegionOf(m.Roles),
            m.UniqueAddress.Equals(self) || !unreachable.Contains(m.UniqueAddress),
            m.Status is MemberStatus.Joining or MemberStatus.WeaklyUp)).ToImmutableArray();

        var fingerprint = string.Join(";", members.OrderBy(m => m.Address, StringComparer.Ordinal)
            .Select(m => $"{m.Address}|{m.Reachable}|{m.Joining}"));
        var now = Now;
        if (fingerprint != _fingerprint)
        {
            _fingerprint = fingerprint;
            _lastChange = now;
        }

        if (members.All(m => m.Reachable))
        {
            _unstableSince = null;
            _actedOn = null;
            return;
        }
        _unstableSince ??= now;
        if (state.Leader is null || !state.Leader.Equals(self.Address)) return;
        if (_actedOn == fingerprint) return;

        var stable = now - _lastChange >= _settings.StableAfter;
        var tooLong = _settings.DownAllWhenUnstable > TimeSpan.Zero
                      && now - _unstableSince.Value >= _settings.StableAfter + _settings.DownAllWhenUnstable;
        if (!stable && !tooLong) return;

        RegionDecision decision;
        if (stable)
        {
            decision = RegionMajority.Decide(_settings.Regions, members);
        }
        else
        {
            var mine = members.Where(m => m.Reachable).Select(m => m.Address).Order(StringComparer.Ordinal).ToImmutableArray();
            decision = new RegionDecision(RegionDecisionKind.DownReachable, mine,
                $"membership unstable for {(now - _unstableSince.Value).TotalSeconds:0.#}s (forge.cluster.split-brain.down-all-when-unstable)",
                [], []);
        }
        if (decision.Kind == RegionDecisionKind.NoAction) return;

        _actedOn = fingerprint;
        _log.Warning("Split brain: {0}; downing {1} member(s): {2}. Reason: {3}",
            decision.Kind, decision.ToDown.Length, string.Join(", ", decision.ToDown), decision.Reason);
        Context.System.EventStream.Publish(new SplitBrainDecisionMade(decision.Kind, decision.ToDown, decision.Reason,
            decision.ReachableRegions, decision.UnreachableRegions, !stable, DateTimeOffset.UtcNow));

        var byText = live.ToDictionary(m => m.UniqueAddress.ToString(), m => m.Address, StringComparer.Ordinal);
        // Down self last: downing self first would stop this actor before the others are marked.
        foreach (var address in decision.ToDown.OrderBy(a => a == self.ToString() ? 1 : 0))
            if (byText.TryGetValue(address, out var a))
                _cluster.Down(a);
    }
}
