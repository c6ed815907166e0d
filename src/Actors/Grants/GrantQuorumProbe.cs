using System.Collections.Immutable;
using Akka.Actor;

namespace Forge.Grants;

/// <summary>Published on the local EventStream after each <see cref="GrantQuorumProbe"/> round (for metrics).</summary>
/// <param name="Answered">Configured regions whose replica answered and votes (a replica still recovering its state
/// after a disk loss answers but refuses every renewal, so it does not count).</param>
public sealed record GrantQuorumReachability(ImmutableArray<string> Answered, int Configured, int Majority)
{
    /// <summary>A grant or renewal sent from this coordinator now could gather a majority.</summary>
    public bool Reachable => Answered.Length >= Majority;
}

/// <summary>
/// Asks every configured region's replica for its status once per interval, on every coordinator, so quorum
/// reachability is a measured fact even on a coordinator that has no agent renewing through it. Read-only: a status
/// query changes nothing on a replica. A round ends when every region answered or after the round timeout.
/// </summary>
public sealed class GrantQuorumProbe : ReceiveActor, IWithTimers
{
    /// <summary>No pool has this id (pool ids are non-empty): the query only proves the replica answers.</summary>
    private const string NoPool = "";

    private sealed record StartRound
    {
        public static readonly StartRound Instance = new();
    }

    private sealed record RoundOver(long Round);

    private readonly GrantSettings _settings;
    private readonly ReplicaDirectory _replicas;
    private readonly TimeSpan _interval;
    private readonly HashSet<string> _answered = new(StringComparer.Ordinal);
    private long _round;

    public ITimerScheduler Timers { get; set; } = null!;

    public static Props Props(GrantSettings settings, ReplicaDirectory replicas, TimeSpan interval) =>
        Akka.Actor.Props.Create(() => new GrantQuorumProbe(settings, replicas, interval));

    public GrantQuorumProbe(GrantSettings settings, ReplicaDirectory replicas, TimeSpan interval)
    {
        if (interval <= TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(interval), "the probe interval must be positive");
        (_settings, _replicas, _interval) = (settings, replicas, interval);
        // correlation ids unique across restarts of this actor, so a late answer to an old round never counts
        _round = DateTime.UtcNow.Ticks;

        Receive<StartRound>(_ => Start());
        Receive<ReplicaStatus>(s =>
        {
            if (s.CorrelationId != _round || s.Recovering || !_settings.IsConfiguredRegion(s.Region)) return;
            _answered.Add(s.Region);
            if (_answered.Count == _settings.Regions.Length) Finish();
        });
        Receive<RoundOver>(r =>
        {
            if (r.Round == _round) Finish();
        });
    }

    protected override void PreStart() => Self.Tell(StartRound.Instance);

    private void Start()
    {
        _round++;
        _answered.Clear();
        var query = new ReplicaStatusQuery(NoPool, _round);
        foreach (var region in _settings.Regions) _replicas(region).Tell(query, Self);
        Timers.StartSingleTimer("round-over", new RoundOver(_round), _settings.RoundTimeout);
    }

    private void Finish()
    {
        Timers.Cancel("round-over");
        Context.System.EventStream.Publish(new GrantQuorumReachability(
            [.. _answered.Order(StringComparer.Ordinal)], _settings.Regions.Length, _settings.Majority));
        _round++; // answers still on their way belong to a finished round
        Timers.StartSingleTimer("start", StartRound.Instance, _interval);
    }
}
