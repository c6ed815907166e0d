using System.Collections.Concurrent;
using System.Collections.Immutable;
using Forge.NodeAgent.Config;
using Forge.NodeAgent.Lease;
using Forge.NodeAgent.Logging;
using Forge.Protocol;
using Forge.Transport;
using Xunit;

namespace Forge.NodeAgent.Tests.Lease;

/// <summary>
/// Single-cluster mode with a grant quorum (issue 4 / issue 3's standalone regions): the combined confirmation rule, and
/// the elector against an in-memory Lease and a scripted quorum: a granted standalone term becomes the decider's term and
/// every request needs the Lease AND the quorum; a refusal means no Grant and an alarm; an unreachable quorum means the
/// Lease alone, loudly (or nothing with STANDALONE_REQUIRE_QUORUM); a release gives both back.
/// </summary>
public sealed class StandaloneElectorTests
{
    private static readonly NodeId Node = new("eu-west-1-prod", "bp-0");
    private static readonly Guid Inc = Guid.NewGuid();
    private static readonly TermId QuorumTerm = new(9, "coord-eu");
    private static readonly TimeSpan Lease = TimeSpan.FromSeconds(3);
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);

    // ---- the combined confirmation rule (pure) ----------------------------------------------------------------------

    private static IAgentProtocolMessage Combine(bool lease, StandaloneFooting footing, IAgentProtocolMessage? quorum) =>
        StandaloneConfirmation.Combine(Node, Inc, QuorumTerm, 7, Lease, lease, footing, quorum, TimeSpan.FromSeconds(1));

    private static Renewed QuorumRenewed(long id = 7, TimeSpan? ttl = null, TermId? term = null, Guid? inc = null) =>
        new(Node, inc ?? Inc, term ?? QuorumTerm, ttl ?? Lease, id, ["eu-west-1", "us-east-1"]);

    [Fact]
    public void Quorum_footing_confirms_only_when_the_lease_and_the_quorum_both_confirmed_that_request()
    {
        var both = Assert.IsType<Renewed>(Combine(true, StandaloneFooting.Quorum, QuorumRenewed()));
        Assert.Equal(7, both.RequestId);
        Assert.Equal(["eu-west-1", "us-east-1", "lease"], both.AcceptedByRegions.ToArray());

        Assert.Contains("lease renewal failed", Assert.IsType<RenewRefused>(Combine(false, StandaloneFooting.Quorum, QuorumRenewed())).Reason);
        Assert.Contains("did not answer", Assert.IsType<RenewRefused>(Combine(true, StandaloneFooting.Quorum, null)).Reason);
        Assert.Contains("refused: superseded",
            Assert.IsType<RenewRefused>(Combine(true, StandaloneFooting.Quorum, new RenewRefused(Node, Inc, QuorumTerm, 7, "superseded"))).Reason);
        // an answer to another request, term or incarnation never confirms this one
        Assert.IsType<RenewRefused>(Combine(true, StandaloneFooting.Quorum, QuorumRenewed(id: 6)));
        Assert.IsType<RenewRefused>(Combine(true, StandaloneFooting.Quorum, QuorumRenewed(term: new TermId(8, "coord-eu"))));
        Assert.IsType<RenewRefused>(Combine(true, StandaloneFooting.Quorum, QuorumRenewed(inc: Guid.NewGuid())));
    }

    [Fact]
    public void The_confirmed_ttl_is_the_shorter_of_lease_and_quorum_term()
    {
        Assert.Equal(TimeSpan.FromSeconds(2), Assert.IsType<Renewed>(Combine(true, StandaloneFooting.Quorum, QuorumRenewed(ttl: TimeSpan.FromSeconds(2)))).Ttl);
        Assert.Equal(Lease, Assert.IsType<Renewed>(Combine(true, StandaloneFooting.Quorum, QuorumRenewed(ttl: TimeSpan.FromSeconds(30)))).Ttl);
    }

    [Fact]
    public void After_a_move_onto_the_quorum_the_quorum_answers_its_own_term_and_the_result_names_the_deciders()
    {
        var deciderTerm = new TermId(3, "lease:cardano-forge-eu-west-1");
        IAgentProtocolMessage Moved(IAgentProtocolMessage? quorum) =>
            StandaloneConfirmation.Combine(Node, Inc, deciderTerm, 7, Lease, true, StandaloneFooting.Quorum, quorum, TimeSpan.FromSeconds(1), QuorumTerm);
        var ok = Assert.IsType<Renewed>(Moved(QuorumRenewed()));
        Assert.Equal(deciderTerm, ok.Term);
        Assert.Equal(7, ok.RequestId);
        Assert.IsType<RenewRefused>(Moved(QuorumRenewed(term: deciderTerm))); // the quorum never confirmed the Lease's term
        Assert.Equal(deciderTerm, Assert.IsType<RenewRefused>(Moved(new RenewRefused(Node, Inc, QuorumTerm, 7, "superseded"))).Term);
    }

    [Fact]
    public void Lease_only_footing_needs_the_lease_alone()
    {
        Assert.Equal(["lease"], Assert.IsType<Renewed>(Combine(true, StandaloneFooting.LeaseOnly, null)).AcceptedByRegions.ToArray());
        Assert.IsType<RenewRefused>(Combine(false, StandaloneFooting.LeaseOnly, null));
    }

    // ---- the elector ------------------------------------------------------------------------------------------------

    private sealed class MemoryLeaseStore : ILeaseStore
    {
        private readonly object _gate = new();
        private LeaseRecord? _record;
        private int _version;
        public volatile bool Failing;

        public LeaseRecord? Current
        {
            get
            {
                lock (_gate) return _record;
            }
        }

        public Task<LeaseRecord?> GetAsync(CancellationToken ct) => Task.FromResult(Fail() ?? Current);

        public Task<LeaseRecord?> CreateAsync(string holder, TimeSpan duration, CancellationToken ct)
        {
            lock (_gate)
            {
                Fail();
                if (_record is not null) return Task.FromResult<LeaseRecord?>(null);
                _record = new LeaseRecord(holder, DateTime.UtcNow, 0, (++_version).ToString());
                return Task.FromResult<LeaseRecord?>(_record);
            }
        }

        public Task<LeaseRecord?> UpdateAsync(LeaseRecord seen, string holder, bool newHolder, TimeSpan duration, CancellationToken ct)
        {
            lock (_gate)
            {
                Fail();
                if (_record is null || _record.Version != seen.Version) return Task.FromResult<LeaseRecord?>(null);
                _record = new LeaseRecord(holder, DateTime.UtcNow.AddTicks(_version), seen.Transitions + (newHolder ? 1 : 0), (++_version).ToString());
                return Task.FromResult<LeaseRecord?>(_record);
            }
        }

        private LeaseRecord? Fail() => Failing ? throw new LeaseStoreException("api down", new IOException("api down")) : null;
    }

    private sealed class ScriptedQuorum : IStandaloneQuorum
    {
        public Func<QuorumTermAnswer> TermAnswer { get; set; } = () => new QuorumTermAnswer.Unreachable("scripted");
        public Func<IAgentProtocolMessage, IAgentProtocolMessage?> ConfirmAnswer { get; set; } = _ => null;
        public ConcurrentQueue<IAgentProtocolMessage> Sent { get; } = new();
        public int TermRequests;
        public event Action<Revoke>? Revoked;

        public void Start() { }

        public ConcurrentQueue<TermId> Above { get; } = new();

        public Task<QuorumTermAnswer> RequestTermAsync(TimeSpan leaseDuration, TermId above, TimeSpan within, CancellationToken ct)
        {
            Interlocked.Increment(ref TermRequests);
            Above.Enqueue(above);
            return Task.FromResult(TermAnswer());
        }

        public Task<IAgentProtocolMessage?> ConfirmAsync(IAgentProtocolMessage request, TimeSpan within, CancellationToken ct)
        {
            Sent.Enqueue(request);
            return Task.FromResult(ConfirmAnswer(request));
        }

        public void Send(IAgentProtocolMessage message) => Sent.Enqueue(message);

        public void Revoke(Revoke r) => Revoked?.Invoke(r);

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }

    private sealed class Rig : IAsyncDisposable
    {
        public required LeaseGrantSource Elector { get; init; }
        public required MemoryLeaseStore Store { get; init; }
        public required ScriptedQuorum Quorum { get; init; }
        public required StringWriter Log { get; init; }
        public required TextWriter SyncLog { get; init; }

        public async Task<T> NextAsync<T>() where T : IAgentProtocolMessage
        {
            using var cts = new CancellationTokenSource(Wait);
            while (true)
            {
                var e = await Elector.Events.ReadAsync(cts.Token);
                if (e is LinkEvent.Received { Message: T m }) return m;
                Assert.Fail($"expected {typeof(T).Name}, got {e}");
            }
        }

        public async Task NothingForAsync(TimeSpan t)
        {
            using var cts = new CancellationTokenSource(t);
            try
            {
                var e = await Elector.Events.ReadAsync(cts.Token);
                Assert.Fail($"expected nothing, got {e}");
            }
            catch (OperationCanceledException)
            {
                // nothing arrived: as expected
            }
        }

        public string LogText
        {
            get
            {
                lock (SyncLog) return Log.ToString(); // the synchronized writer locks on itself


            }
        }

        /// <summary>The log is written by a background writer: wait for the line.</summary>
        public Task LogShowsAsync(string text) => Poll.UntilAsync(() => LogText.Contains(text, StringComparison.Ordinal), Wait, $"log: {text}");

        public async ValueTask DisposeAsync() => await Elector.DisposeAsync();
    }

    private static Rig Start(ScriptedQuorum? quorum, bool requireQuorum = false, string reprobe = "30")
    {
        var env = new Dictionary<string, string>
        {
            ["POD_NAME"] = Node.Pod,
            ["CLUSTER_NAME"] = Node.Cluster,
            ["CLUSTER_REGION"] = "eu-west-1",
            ["POOL_ID"] = "pool1",
            ["FENCE_CONTROL"] = "/run/fence/fence.sock",
            ["ENABLE_CLUSTER_MANAGEMENT"] = "false",
            ["LEASE_DURATION"] = "3",
            ["LEASE_RENEW_DEADLINE"] = "2",
            ["LEASE_RETRY_PERIOD"] = "0.1",
            ["STANDALONE_GRANT_TTL"] = "0.1",
            ["STANDALONE_QUORUM_TIMEOUT"] = "0.5",
            ["STANDALONE_REQUIRE_QUORUM"] = requireQuorum ? "true" : "false",
            ["STANDALONE_QUORUM_REPROBE"] = reprobe,
        };
        var settings = AgentSettings.Load(new EnvReader(env));
        var output = new StringWriter();
        var sync = TextWriter.Synchronized(output);
        var log = new JsonLog(sync, [("node", Node.ToString())]);
        var store = new MemoryLeaseStore();
        var elector = new LeaseGrantSource(store, settings, Inc, log, quorum);
        elector.Start();
        return new Rig { Elector = elector, Store = store, Quorum = quorum ?? new ScriptedQuorum(), Log = output, SyncLog = sync };
    }

    private static Grant StandaloneGrant(TimeSpan activation) =>
        new("pool1", Node, Inc, QuorumTerm, Lease, activation, "standalone region lease");

    [Fact]
    public async Task A_granted_standalone_term_is_the_deciders_term_and_each_request_needs_lease_and_quorum()
    {
        var quorum = new ScriptedQuorum { TermAnswer = () => new QuorumTermAnswer.Granted(StandaloneGrant(TimeSpan.FromSeconds(2))) };
        var confirm = true;
        quorum.ConfirmAnswer = r => r is GrantRequest g
            ? confirm ? QuorumRenewed(g.RequestId) : new RenewRefused(Node, Inc, g.Term, g.RequestId, "superseded by 10@coord-us")
            : null;
        await using var rig = Start(quorum);

        var grant = await rig.NextAsync<Grant>();
        Assert.Equal(QuorumTerm, grant.Term);
        Assert.Equal(TimeSpan.FromSeconds(2), grant.ActivationDelay); // the quorum's wait is longer than the entry wait
        await rig.LogShowsAsync("standalone term granted on the grant quorum");

        rig.Elector.Send(new GrantRequest("pool1", Node, Inc, QuorumTerm, 7));
        var ok = await rig.NextAsync<Renewed>();
        Assert.Equal(7, ok.RequestId);
        Assert.Contains("lease", ok.AcceptedByRegions.ToArray());
        Assert.Contains("eu-west-1", ok.AcceptedByRegions.ToArray());
        Assert.Contains(quorum.Sent, m => m is GrantRequest { RequestId: 7 }); // the decider's request went to the quorum as is

        confirm = false;
        rig.Elector.Send(new GrantRequest("pool1", Node, Inc, QuorumTerm, 8));
        Assert.Contains("grant quorum refused", (await rig.NextAsync<RenewRefused>()).Reason);

        // the quorum confirms but the Lease cannot be renewed: refused
        confirm = true;
        rig.Store.Failing = true;
        rig.Elector.Send(new GrantRequest("pool1", Node, Inc, QuorumTerm, 9));
        Assert.Contains("lease renewal failed", (await rig.NextAsync<RenewRefused>()).Reason);
        rig.Store.Failing = false;

        // a request for another term is not the elector's to confirm
        rig.Elector.Send(new Renew("pool1", Node, Inc, new TermId(1, "lease:cardano-forge-eu-west-1"), 10));
        Assert.Equal(10, (await rig.NextAsync<RenewRefused>()).RequestId);

        // a coordinator's revoke of the quorum term stops the node
        quorum.Revoke(new Revoke("pool1", Node, Inc, QuorumTerm, true, "operator"));
        Assert.Equal(QuorumTerm, (await rig.NextAsync<Revoke>()).Term);

        // the verified release gives the quorum term and the Lease back
        rig.Elector.Send(new Released("pool1", Node, Inc, QuorumTerm, "verified off"));
        await Poll.UntilAsync(() => quorum.Sent.Any(m => m is Released { Term: var t } && t == QuorumTerm), Wait, "the quorum term released");
        await Poll.UntilAsync(() => rig.Store.Current?.Holder is "" || rig.Store.Current?.Holder.StartsWith(Node.ToString(), StringComparison.Ordinal) == true, Wait, "lease cleared or retaken");
    }

    [Fact]
    public async Task A_refused_standalone_term_means_no_grant_an_alarm_and_another_attempt_later()
    {
        var quorum = new ScriptedQuorum
        {
            TermAnswer = () => new QuorumTermAnswer.Refused(StandaloneRefusal.HeldByLiveTerm, new TermId(4, "coord-us"), "term 4@coord-us may still forge"),
        };
        await using var rig = Start(quorum);
        await Poll.UntilAsync(() => Volatile.Read(ref quorum.TermRequests) >= 3, Wait, "the leader to ask again");
        await rig.NothingForAsync(TimeSpan.FromMilliseconds(300));
        Assert.True(rig.Elector.IsLeader);
        // the alarm is logged once per distinct problem, not per attempt
        await rig.LogShowsAsync("held by 4@coord-us");
        Assert.Equal(1, CountOf(rig.LogText, "alarm: standalone-no-term"));

        // the other region's term lapsed: the next attempt succeeds
        quorum.TermAnswer = () => new QuorumTermAnswer.Granted(StandaloneGrant(TimeSpan.Zero));
        Assert.Equal(QuorumTerm, (await rig.NextAsync<Grant>()).Term);
    }

    [Fact]
    public async Task An_unreachable_quorum_falls_back_to_the_lease_alone_loudly()
    {
        var quorum = new ScriptedQuorum { TermAnswer = () => new QuorumTermAnswer.Unreachable("no coordinator registered this agent within 500 ms") };
        await using var rig = Start(quorum);
        var grant = await rig.NextAsync<Grant>();
        Assert.StartsWith("lease:", grant.Term.ProposerId);
        await rig.LogShowsAsync("alarm: standalone-lease-only");
        await rig.LogShowsAsync("global one-forger guarantee is bypassed");

        // Lease-only: the quorum is not consulted for confirmations
        rig.Elector.Send(new GrantRequest("pool1", Node, Inc, grant.Term, 1));
        Assert.Equal(["lease"], (await rig.NextAsync<Renewed>()).AcceptedByRegions.ToArray());
        Assert.Empty(quorum.Sent);
    }

    [Fact]
    public async Task Terms_handed_to_the_decider_keep_growing_across_lease_only_and_quorum_footings()
    {
        var quorum = new ScriptedQuorum { TermAnswer = () => new QuorumTermAnswer.Unreachable("no answer") };
        await using var rig = Start(quorum);
        var leaseOnly = (await rig.NextAsync<Grant>()).Term;

        // the quorum is back (asked above the Lease-only term), but a coordinator hands out a term below the one the
        // decider held: given back, not used
        var low = new TermId(leaseOnly.Counter - 1 < 1 ? 1 : leaseOnly.Counter - 1, "a-coordinator-sorting-first");
        quorum.TermAnswer = () => new QuorumTermAnswer.Granted(new Grant("pool1", Node, Inc, low, Lease, TimeSpan.Zero, "standalone"));
        rig.Elector.Send(new Released("pool1", Node, Inc, leaseOnly, "verified off"));
        await Poll.UntilAsync(() => quorum.Sent.Any(m => m is Released { Term: var t } && t == low), Wait, "the low term given back");
        Assert.All(quorum.Above.Skip(1), a => Assert.True(a >= leaseOnly, $"asked above {a}, not above {leaseOnly}"));
        Assert.Contains(leaseOnly, quorum.Above);

        // a term above it is taken
        quorum.TermAnswer = () => new QuorumTermAnswer.Granted(new Grant("pool1", Node, Inc, new TermId(leaseOnly.Counter + 5, "coord-eu"), Lease,
            TimeSpan.Zero, "standalone"));
        var next = await rig.NextAsync<Grant>();
        Assert.True(next.Term > leaseOnly, $"{next.Term} after {leaseOnly}");
    }

    [Fact]
    public async Task A_lease_only_leader_probes_the_quorum_again_and_moves_onto_it_under_the_same_decider_term()
    {
        var quorum = new ScriptedQuorum { TermAnswer = () => new QuorumTermAnswer.Unreachable("no answer") };
        var confirm = true;
        quorum.ConfirmAnswer = r => r switch
        {
            GrantRequest g => confirm ? QuorumRenewed(g.RequestId, term: g.Term) : null,
            Renew rn => confirm ? QuorumRenewed(rn.RequestId, term: rn.Term) : new RenewRefused(Node, Inc, rn.Term, rn.RequestId, "superseded"),
            _ => null,
        };
        await using var rig = Start(quorum, reprobe: "0.3");
        var leaseOnly = (await rig.NextAsync<Grant>()).Term;
        rig.Elector.Send(new GrantRequest("pool1", Node, Inc, leaseOnly, 1));
        Assert.Equal(["lease"], (await rig.NextAsync<Renewed>()).AcceptedByRegions.ToArray());
        await Poll.UntilAsync(() => Volatile.Read(ref quorum.TermRequests) >= 2, Wait, "a re-probe while Lease-only");
        await rig.LogShowsAsync("grant quorum still unreachable");
        Assert.Empty(quorum.Sent);

        // the quorum is back: a re-probe is granted a term above the Lease-only one
        var q = new TermId(leaseOnly.Counter + 3, "coord-eu");
        quorum.TermAnswer = () => new QuorumTermAnswer.Granted(new Grant("pool1", Node, Inc, q, Lease, TimeSpan.Zero, "standalone"));
        await rig.LogShowsAsync("moving onto the quorum footing");
        Assert.Contains(leaseOnly, quorum.Above); // asked above the term the decider holds

        // no Grant and no Revoke reach the decider (no forging gap): its next request, for its own term, needs the Lease
        // AND the quorum, which sees it under the quorum's term (the first as a GrantRequest)
        rig.Elector.Send(new Renew("pool1", Node, Inc, leaseOnly, 2));
        var both = await rig.NextAsync<Renewed>();
        Assert.Equal((leaseOnly, 2L), (both.Term, both.RequestId));
        Assert.Equal(["eu-west-1", "us-east-1", "lease"], both.AcceptedByRegions.ToArray());
        Assert.Contains(quorum.Sent, m => m is GrantRequest { RequestId: 2 } g && g.Term == q);
        await rig.LogShowsAsync("on the grant quorum footing now");
        rig.Elector.Send(new Renew("pool1", Node, Inc, leaseOnly, 3));
        Assert.Equal(3, (await rig.NextAsync<Renewed>()).RequestId);
        Assert.Contains(quorum.Sent, m => m is Renew { RequestId: 3 } r && r.Term == q);

        // the quorum footing binds: a refusal there refuses the decider's request
        confirm = false;
        rig.Elector.Send(new Renew("pool1", Node, Inc, leaseOnly, 4));
        Assert.Contains("grant quorum refused", (await rig.NextAsync<RenewRefused>()).Reason);
        // a coordinator's revoke of the quorum term stops the decider's term; its release gives the quorum term back
        quorum.Revoke(new Revoke("pool1", Node, Inc, q, false, "operator"));
        Assert.Equal(leaseOnly, (await rig.NextAsync<Revoke>()).Term);
        rig.Elector.Send(new Released("pool1", Node, Inc, leaseOnly, "verified off"));
        await Poll.UntilAsync(() => quorum.Sent.Any(m => m is Released { Term: var t } && t == q), Wait, "the quorum term released");
    }

    [Fact]
    public async Task A_lease_only_leader_the_quorum_refuses_on_a_reprobe_stops_forging()
    {
        var quorum = new ScriptedQuorum { TermAnswer = () => new QuorumTermAnswer.Unreachable("no answer") };
        await using var rig = Start(quorum, reprobe: "0.3");
        var leaseOnly = (await rig.NextAsync<Grant>()).Term;
        quorum.TermAnswer = () => new QuorumTermAnswer.Refused(StandaloneRefusal.HeldByLiveTerm, new TermId(4, "coord-us"), "term 4@coord-us may still forge");
        Assert.Equal(leaseOnly, (await rig.NextAsync<Revoke>()).Term);
        await rig.LogShowsAsync("refuses a standalone term while this region forges on the Lease alone");
    }

    [Fact]
    public async Task Require_quorum_forbids_the_lease_only_fallback()
    {
        var quorum = new ScriptedQuorum { TermAnswer = () => new QuorumTermAnswer.Unreachable("no answer") };
        await using var rig = Start(quorum, requireQuorum: true);
        await Poll.UntilAsync(() => Volatile.Read(ref quorum.TermRequests) >= 2, Wait, "the leader to ask again");
        await rig.NothingForAsync(TimeSpan.FromMilliseconds(300));
        await rig.LogShowsAsync("STANDALONE_REQUIRE_QUORUM=true");
    }

    [Fact]
    public async Task Without_coordinators_the_lease_alone_grants_as_before()
    {
        await using var rig = Start(null);
        Assert.StartsWith("lease:", (await rig.NextAsync<Grant>()).Term.ProposerId);
        await rig.LogShowsAsync("COORDINATORS unset");
    }

    [Fact]
    public void Coordinators_configure_the_quorum_in_single_cluster_mode_and_the_new_settings_have_their_defaults()
    {
        var env = new Dictionary<string, string>
        {
            ["POD_NAME"] = "bp-0", ["CLUSTER_NAME"] = "c", ["CLUSTER_REGION"] = "r", ["POOL_ID"] = "p",
            ["FENCE_CONTROL"] = "/run/fence.sock", ["ENABLE_CLUSTER_MANAGEMENT"] = "false",
        };
        var alone = AgentSettings.Load(new EnvReader(env));
        Assert.Empty(alone.Coordinators);
        Assert.Equal(TimeSpan.FromSeconds(5), alone.Lease!.QuorumTimeout);
        Assert.False(alone.Lease.RequireQuorum);
        var conf = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "hocon", "agent.conf"));
        Assert.Contains("standalone-quorum-timeout = 5s", conf, StringComparison.Ordinal);
        Assert.Contains("standalone-require-quorum = false", conf, StringComparison.Ordinal);
        Assert.Equal(TimeSpan.FromSeconds(30), alone.Lease.QuorumReprobe);
        Assert.Contains("standalone-quorum-reprobe = 30s", conf, StringComparison.Ordinal);

        env["COORDINATORS"] = "coord-0:7400";
        var e = Assert.Throws<AgentConfigException>(() => AgentSettings.Load(new EnvReader(env)));
        Assert.Contains(e.Errors, m => m.Contains("TLS_CA_CERT", StringComparison.Ordinal));
        env["TLS_CA_CERT"] = "/tls/ca.pem";
        env["TLS_CERT"] = "/tls/agent.pem";
        env["TLS_KEY"] = "/tls/agent.key";
        var withQuorum = AgentSettings.Load(new EnvReader(env));
        Assert.Single(withQuorum.Coordinators);
        Assert.NotNull(withQuorum.Tls);
        Assert.Equal(AgentMode.SingleCluster, withQuorum.Mode);
    }

    private static int CountOf(string text, string what)
    {
        var n = 0;
        for (var i = text.IndexOf(what, StringComparison.Ordinal); i >= 0; i = text.IndexOf(what, i + 1, StringComparison.Ordinal)) n++;
        return n;
    }
}
