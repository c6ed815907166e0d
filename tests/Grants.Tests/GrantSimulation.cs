using System.Collections.Immutable;
using Forge.Protocol;

namespace Forge.Grants.Tests;

/// <summary>
/// Deterministic simulation over the real pure cores (ReplicaCore, RenewalRound, ProposalTally, GrantPermission):
/// virtual time in ms, one seeded Random for every fault, so a seed replays exactly. Three replicas with drifting
/// clocks that reset on reboot, two batchers, two dueling proposers and a rogue one that proposes at random times, three nodes whose agents renew each second and
/// whose fences stop the node at the permission deadline. Faults: message loss, duplication, reordering (random
/// delays), region partitions, agent crashes (new incarnation) and pauses, replica restarts and disk losses.
/// </summary>
public sealed class GrantSimulation
{
    public sealed record Result(int Seed, bool Safe, string Violation, ImmutableArray<long> FailoverMs, int Rounds, int Grants);

    private static readonly string[] Regions = ["a", "b", "c"];
    private readonly Random _rng;
    private readonly int _seed;
    private readonly GrantSettings _s;
    private readonly PriorityQueue<Action, (long, long)> _events = new();
    private long _seq;
    private long _now;
    private readonly Replica[] _replicas;
    private readonly Agent[] _agents;
    private readonly Batcher[] _batchers;
    private readonly Proposer[] _proposers;
    private readonly bool[] _cut = new bool[3];
    private readonly List<long> _failovers = [];
    private long? _holderLostAt;
    private int _rounds, _grants;
    private const long FenceDisableBoundMs = 100;
    private const double MaxRateError = 0.09; // inside the configured 100,000 ppm

    /// <param name="assumedDriftPpm">The drift bound the protocol is configured with; clocks really drift up to 9 %.
    /// Configuring less than that (with a small margin) must let the checker find two forgers.</param>
    public GrantSimulation(int seed, int assumedDriftPpm = 100_000, int marginMs = 500)
    {
        _s = new GrantSettings([.. Regions], TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(15), TimeSpan.FromMilliseconds(marginMs),
            assumedDriftPpm, TimeSpan.FromMilliseconds(20), TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(1), "/sim");
        _seed = seed;
        _rng = new Random(seed);
        _replicas = [.. Regions.Select((r, i) => new Replica(this, i, r))];
        _agents = [.. Enumerable.Range(0, 3).Select(i => new Agent(this, i))];
        _batchers = [.. Enumerable.Range(0, 2).Select(i => new Batcher(this, i))];
        _proposers = [.. Enumerable.Range(0, 3).Select(i => new Proposer(this, i))];
    }

    public Result Run(long durationMs)
    {
        foreach (var r in _replicas) r.Boot(fresh: true);
        foreach (var a in _agents) a.Start();
        foreach (var p in _proposers) At(500 + p.Index * 250, p.Tick);
        ScheduleFaults(durationMs);
        while (_events.TryDequeue(out var action, out var key) && key.Item1 <= durationMs)
        {
            _now = key.Item1;
            action();
        }
        foreach (var a in _agents) a.Flush();
        var violation = CheckOverlap();
        return new Result(_seed, violation is null, violation ?? "", [.. _failovers], _rounds, _grants);
    }

    private void At(long t, Action a) => _events.Enqueue(a, (t, _seq++));
    private int Region(int agentOrReplica) => agentOrReplica % 3;
    private double Rate() => 1 + (_rng.NextDouble() * 2 - 1) * MaxRateError;

    /// <summary>Network: partitions by region, 5 % loss, 2 % duplicates, 1–60 ms delays (reordering).</summary>
    private void Send(int fromRegion, int toRegion, Action deliver)
    {
        if (fromRegion != toRegion && (_cut[fromRegion] || _cut[toRegion])) return;
        if (_rng.NextDouble() < 0.05) return;
        At(_now + _rng.Next(1, 60), deliver);
        if (_rng.NextDouble() < 0.02) At(_now + _rng.Next(1, 120), deliver);
    }

    private void ScheduleFaults(long duration)
    {
        for (var t = 8_000L; t < duration; t += _rng.Next(4_000, 12_000))
        {
            var kind = _rng.Next(6);
            var at = t;
            switch (kind)
            {
                case 0: At(at, () => CrashAgent(_rng.Next(3))); break;
                case 1: At(at, () => CrashAgent(HolderIndex() ?? 0)); break;
                case 2: At(at, () => _agents[_rng.Next(3)].Pause(_rng.Next(500, 9_000))); break;
                case 3: At(at, () => _replicas[_rng.Next(3)].Restart(loseDisk: _rng.Next(3) == 0)); break;
                case 4:
                    var region = _rng.Next(3);
                    At(at, () => _cut[region] = true);
                    At(at + _rng.Next(1_000, 10_000), () => _cut[region] = false);
                    break;
                default: break; // quiet period
            }
        }
    }

    private int? HolderIndex() => _agents.Where(a => a.ForgingNow).Select(a => (int?)a.Index).FirstOrDefault();

    private void CrashAgent(int i)
    {
        if (_agents[i].ForgingNow && _holderLostAt is null) _holderLostAt = _now;
        _agents[i].Crash();
    }

    // ---- the checker: forging intervals per node in real time ----
    private readonly List<(int Node, long From, long To)> _intervals = [];

    private void Forging(int node, long from, long to)
    {
        if (to > from) _intervals.Add((node, from, to));
    }

    /// <summary>A node starts forging: the end of a failover if the forger was lost.</summary>
    private void StartedForging()
    {
        if (_holderLostAt is not { } lost) return;
        _failovers.Add(_now - lost);
        _holderLostAt = null;
    }

    private string? CheckOverlap()
    {
        var sorted = _intervals.OrderBy(i => i.From).ToList();
        for (var i = 0; i < sorted.Count; i++)
            for (var j = i + 1; j < sorted.Count && sorted[j].From < sorted[i].To; j++)
                if (sorted[i].Node != sorted[j].Node)
                    return $"seed {_seed}: node {sorted[i].Node} forged [{sorted[i].From},{sorted[i].To}) ms while node {sorted[j].Node} forged [{sorted[j].From},{sorted[j].To}) ms";
        return null;
    }

    // ---- replicas ----
    private sealed class Replica(GrantSimulation sim, int index, string region)
    {
        private readonly MemoryReplicaStore _store = new();
        private ReplicaState _state = ReplicaState.Fresh;
        private long _bootAt;
        private double _rate = 1;
        private bool _up;
        private long _nonce;
        private Dictionary<string, ReplicaStateTransferReply> _transfers = [];

        private TimeSpan Local => TimeSpan.FromMilliseconds((sim._now - _bootAt) * _rate);

        public void Boot(bool fresh)
        {
            _bootAt = sim._now; // monotonic clocks restart at boot
            _rate = sim.Rate();
            _up = true;
            // the first boot starts from an initialised empty state; a reboot reads the disk, which may be lost
            _state = fresh ? ReplicaState.Fresh with { Recovering = false } : _store.Load(Local) ?? ReplicaState.Fresh;
            if (_state.Recovering) RequestTransfer();
        }

        public void Restart(bool loseDisk)
        {
            _up = false;
            if (loseDisk) _store.Lose();
            sim.At(sim._now + sim._rng.Next(100, 3_000), () => Boot(fresh: false));
        }

        private void RequestTransfer()
        {
            if (!_up || !_state.Recovering) return;
            _nonce++;
            _transfers = [];
            var req = new ReplicaStateTransferRequest(region, _nonce);
            foreach (var other in sim._replicas.Where(r => r != this))
                sim.Send(index, other.Idx, () => other.OnTransferRequest(req, this));
            sim.At(sim._now + 2_000, RequestTransfer);
        }

        public int Idx => index;

        private void OnTransferRequest(ReplicaStateTransferRequest req, Replica from)
        {
            if (!_up) return;
            var reply = ReplicaCore.Snapshot(_state, region, req.Nonce, Local, sim._s.Timing);
            sim.Send(index, from.Idx, () => from.OnTransferReply(reply));
        }

        private void OnTransferReply(ReplicaStateTransferReply r)
        {
            if (!_up || !_state.Recovering || r.Nonce != _nonce) return;
            _transfers[r.Region] = r;
            if (_transfers.Count < 2) return;
            _state = ReplicaCore.Recover(_transfers.Values.ToList(), Local, sim._s.Timing, sim._s.MaxTtl);
            _store.Save(_state, Local);
        }

        public void OnGrant(ReplicaAcceptGrant m, Proposer p)
        {
            if (!_up) return;
            var step = ReplicaCore.AcceptGrant(_state, m, region, Local, sim._s.Timing);
            Apply(step.State, step.Changed);
            sim.Send(index, p.Index % 3, () => p.OnAnswer(step.Answer));
        }

        public void OnBatch(ReplicaRenewalBatch m, Batcher b)
        {
            if (!_up) return;
            var step = ReplicaCore.Renew(_state, m.Entries, Local, sim._s.Timing);
            Apply(step.State, step.Changed);
            var answer = new ReplicaRenewalBatchAnswer(m.RoundId, region, step.Answer);
            sim.Send(index, b.Index % 3, () => b.OnAnswer(answer));
        }

        public void OnRelease(ReplicaReleaseNotice m)
        {
            if (!_up) return;
            var step = ReplicaCore.Release(_state, m, region);
            Apply(step.State, step.Changed);
        }

        // only the changed pools are written, as the file store's log does: restarts replay them
        private void Apply(ReplicaState next, ImmutableArray<string> changed)
        {
            if (!changed.IsDefaultOrEmpty) _store.SaveChanges(next, changed, Local);
            _state = next;
        }
    }

    // ---- batchers ----
    private sealed class Batcher(GrantSimulation sim, int index)
    {
        public int Index => index;
        private ImmutableArray<PendingRenewal>.Builder _pending = ImmutableArray.CreateBuilder<PendingRenewal>();
        private readonly Dictionary<long, RenewalRound> _rounds = [];
        private readonly Dictionary<string, (PendingRenewal Request, TimeSpan Ttl)> _known = [];
        private bool _timer;
        private long _roundId = index * 1_000_000_000L;

        public void Enqueue(PendingRenewal r)
        {
            _pending.Add(r);
            if (_timer) return;
            _timer = true;
            sim.At(sim._now + 20, SendRound);
        }

        private void SendRound()
        {
            _timer = false;
            if (_pending.Count == 0) return;
            var round = RenewalRound.Start(++_roundId, _pending.ToImmutable(), sim._s);
            _pending = ImmutableArray.CreateBuilder<PendingRenewal>();
            _rounds[round.RoundId] = round;
            sim._rounds++;
            var batch = round.ToBatch(r => _known.TryGetValue(r.PoolId, out var k) && k.Request.Term == r.Term && k.Request.Node == r.Node && k.Request.Incarnation == r.Incarnation ? k.Ttl : null);
            foreach (var r in sim._replicas) sim.Send(index % 3, r.Idx, () => r.OnBatch(batch, this));
            sim.At(sim._now + 2_000, () =>
            {
                if (!_rounds.Remove(round.RoundId, out var open)) return;
                foreach (var (i, answer) in open.TimeOut()) Reply(open, i, answer);
            });
        }

        public void OnAnswer(ReplicaRenewalBatchAnswer a)
        {
            if (!_rounds.TryGetValue(a.RoundId, out var round)) return;
            foreach (var (r, ttl) in RenewalRound.LearnedTerms(round, a)) _known[r.PoolId] = (r, ttl);
            var (next, resolved) = round.Add(a);
            _rounds[a.RoundId] = next;
            foreach (var (i, answer) in resolved) Reply(next, i, answer);
        }

        private void Reply(RenewalRound round, int i, IAgentProtocolMessage answer)
        {
            var agent = (Agent)round.Requests[i].ReplyTo;
            sim.Send(index % 3, agent.Index % 3, () => agent.OnAnswer(answer));
            if (answer is Renewed r) foreach (var p in sim._proposers) p.SawRenewal(r);
        }

        public void Release(Released r)
        {
            var notice = new ReplicaReleaseNotice(r.PoolId, new TermRelease(r.Term, r.Node, r.Incarnation), 0);
            foreach (var rep in sim._replicas) sim.Send(index % 3, rep.Idx, () => rep.OnRelease(notice));
        }
    }

    // ---- proposers (the arbiter and a failover-capable coordinator) ----
    private sealed class Proposer(GrantSimulation sim, int index)
    {
        public int Index => index;
        private TermId _highest;
        private ProposalTally? _tally;
        private (TermId Term, long At)? _lastRenewal;

        public void SawRenewal(Renewed r)
        {
            if (_lastRenewal is not { } l || r.Term >= l.Term) _lastRenewal = (r.Term, sim._now);
            if (r.Term > _highest) _highest = r.Term;
        }

        public void Tick()
        {
            // proposer 2 is a rogue (stale, dueling, or confused): it proposes whenever it likes; safety must not care
            var rogue = index == 2;
            sim.At(sim._now + (rogue ? sim._rng.Next(2_000, 8_000) : 500 + sim._rng.Next(0, 200)), Tick);
            var stale = rogue || _lastRenewal is not { } l || sim._now - l.At > 5_500 + 1_000 + index * 500;
            if (!stale || _tally is not null) return;
            // the decider's choice is outside this model: any live agent but the stale holder (safety never depends on it)
            var stalled = _lastRenewal is { } last ? sim._agents.FirstOrDefault(a => a.HeldTerm == last.Term) : null;
            var candidates = sim._agents.Where(a => a.Alive && a != stalled).ToList();
            if (candidates.Count == 0) return;
            var c = candidates[sim._rng.Next(candidates.Count)];
            var proposal = new ProposeTerm("pool", c.Node, c.Incarnation, TimeSpan.FromSeconds(5), _highest, null, "sim");
            var term = TermId.Next(_highest, $"p{index}");
            _highest = term;
            _tally = ProposalTally.Start(proposal, term, sim._s);
            var grant = new ReplicaAcceptGrant("pool", term, c.Node, c.Incarnation, proposal.Ttl, null, index);
            foreach (var r in sim._replicas) sim.Send(index % 3, r.Idx, () => r.OnGrant(grant, this));
            sim.At(sim._now + 2_000, () => _tally = null);
        }

        public void OnAnswer(ReplicaGrantAnswer a)
        {
            if (a.Highest > _highest) _highest = a.Highest;
            if (_tally is null) return;
            _tally = _tally.Add(a);
            switch (_tally.Outcome(sim._s.Timing))
            {
                case TermGranted g:
                    _tally = null;
                    sim._grants++;
                    _lastRenewal = (g.Term, sim._now); // give the new holder a TTL to start renewing
                    var agent = sim._agents.First(x => x.Node == g.Holder);
                    sim.Send(index % 3, agent.Index % 3, () => agent.OnGrant(g.ToAgentGrant()));
                    break;
                case TermNotGranted:
                    _tally = null;
                    break;
            }
        }
    }

    // ---- agents + fences + nodes ----
    private sealed class Agent(GrantSimulation sim, int index)
    {
        public int Index => index;
        public NodeId Node { get; } = new($"c{index}", "bp-0");
        public Guid Incarnation { get; private set; }
        public bool Alive { get; private set; }
        public TermId HeldTerm => _p.Term;
        private GrantPermission _p = null!;
        private double _rate;
        private long _bootAt;
        private long _pausedUntil;
        private long _requestId;
        private int _generation;
        private long _forgingFrom = -1, _forgingTo = -1; // the node's current forging interval (real time)

        private TimeSpan Local => TimeSpan.FromMilliseconds((sim._now - _bootAt) * _rate);
        private long RealOf(TimeSpan local) => _bootAt + (long)Math.Ceiling(local.TotalMilliseconds / _rate);
        public bool ForgingNow => _forgingFrom >= 0 && sim._now < _forgingTo;

        public void Start()
        {
            Incarnation = new Guid(sim._rng.NextBytes16());
            _rate = sim.Rate();
            _bootAt = sim._now;
            _p = GrantPermission.Start(Incarnation, sim._s.Timing, TimeSpan.FromMilliseconds(FenceDisableBoundMs));
            Alive = true;
            var gen = ++_generation;
            sim.At(sim._now + sim._rng.Next(0, 1_000), () => Loop(gen));
        }

        public void Crash()
        {
            if (!Alive) return;
            Alive = false;
            _generation++;
            // the fence keeps the node forging until the deadline it holds, then stops it
            sim.At(sim._now + sim._rng.Next(1_000, 4_000), Start);
        }

        public void Pause(int ms) => _pausedUntil = Math.Max(_pausedUntil, sim._now + ms);

        private bool Paused => sim._now < _pausedUntil;

        private void Loop(int gen)
        {
            if (gen != _generation) return;
            sim.At(sim._now + (long)(1_000 / _rate), () => Loop(gen));
            if (Paused || !_p.HoldsTerm) return;
            var id = ++_requestId;
            _p = _p.RequestSent(id, Local); // read before sending
            var b = sim._batchers[sim._rng.Next(2)];
            var req = new PendingRenewal(this, "pool", Node, Incarnation, _p.Term, id);
            sim.Send(index % 3, b.Index % 3, () => b.Enqueue(req));
        }

        public void OnGrant(Grant g)
        {
            if (!Alive || Paused) return;
            var before = _p.Term;
            _p = _p.Adopt(g);
            if (_p.Term != before) StopNode(); // the old term is over for this agent
        }

        public void OnAnswer(IAgentProtocolMessage m)
        {
            if (!Alive || Paused) return; // a paused agent handles nothing; its fence still enforces the deadline
            if (m is RenewRefused rr)
            {
                _p = _p.OnRefused(rr);
                if (rr.Reason.Contains("superseded", StringComparison.Ordinal))
                {
                    _p = _p.End();
                    StopNode();
                }
                return;
            }
            _p = _p.OnRenewed((Renewed)m);
            if (!_p.MayForge(Local)) return;
            // the fence disables the node at ForgeUntil; disabling takes up to the bound
            var end = RealOf(_p.ForgeUntil) + sim._rng.Next(0, (int)FenceDisableBoundMs + 1);
            if (!ForgingNow)
            {
                if (_forgingFrom >= 0) sim.Forging(index, _forgingFrom, _forgingTo);
                _forgingFrom = sim._now;
                sim.StartedForging();
            }
            _forgingTo = Math.Max(_forgingTo, end);
        }

        private void StopNode()
        {
            if (!ForgingNow) return;
            _forgingTo = sim._now;
        }

        public void Flush()
        {
            if (_forgingFrom >= 0) sim.Forging(index, _forgingFrom, _forgingTo);
            _forgingFrom = -1;
        }
    }
}

internal static class RandomExtensions
{
    public static byte[] NextBytes16(this Random r)
    {
        var b = new byte[16];
        r.NextBytes(b);
        return b;
    }
}
