using Forge.NodeAgent.Core;
using Forge.Protocol;
using Xunit;
using static Forge.NodeAgent.Tests.Core.DeciderFixture;

namespace Forge.NodeAgent.Tests.Core;

public sealed class AgentDeciderTests
{
    [Fact]
    public void A_grant_is_not_permission_it_sends_a_request_and_touches_no_fence()
    {
        var f = new DeciderFixture();
        var fx = f.At(100, new AgentEvent.Received(f.Grant(T1)));
        var request = Assert.IsType<GrantRequest>(Assert.Single(fx.OfType<AgentEffect.Send>()).Message);
        Assert.Equal(T1, request.Term);
        Assert.Empty(fx.OfType<AgentEffect.FenceDeadline>());
        Assert.Equal(AgentPhase.Requesting, f.State.Phase);
        Assert.False(f.State.VerifiedForging);
    }

    [Fact]
    public void The_fence_deadline_is_request_send_time_plus_ttl_minus_margin_minus_disable_bound()
    {
        var f = new DeciderFixture();
        f.At(1_000, new AgentEvent.Received(f.Grant(T1)));
        var fx = f.At(1_300, new AgentEvent.Received(f.Renewed(T1, 1)));
        var deadline = Assert.Single(fx.OfType<AgentEffect.FenceDeadline>());
        // sent at 1000 ms; 1000 + 5000 - 500 - 2000 = 3500 ms, whatever the answer's arrival time
        Assert.Equal(3_500L * 1_000_000, deadline.DeadlineNs);
        Assert.Equal(AgentPhase.Holding, f.State.Phase);
        Assert.False(f.State.VerifiedForging); // not before the fence verified it
        f.Fence(VerifiedForging.On, deadline.RequestId);
        Assert.True(f.State.VerifiedForging);
    }

    [Fact]
    public void A_confirmation_never_extends_beyond_the_ttl_the_grant_named()
    {
        var f = new DeciderFixture();
        f.At(0, new AgentEvent.Received(f.Grant(T1)));
        var fx = f.At(10, new AgentEvent.Received(f.Renewed(T1, 1, TimeSpan.FromSeconds(60))));
        Assert.Equal(2_500L * 1_000_000, Assert.Single(fx.OfType<AgentEffect.FenceDeadline>()).DeadlineNs);
    }

    [Theory]
    [InlineData("other incarnation")]
    [InlineData("unknown request id")]
    [InlineData("other term")]
    public void Confirmations_that_are_not_answers_to_own_open_requests_are_ignored(string kind)
    {
        var f = new DeciderFixture();
        f.At(0, new AgentEvent.Received(f.Grant(T1)));
        var answer = kind switch
        {
            "other incarnation" => f.Renewed(T1, 1) with { Incarnation = Guid.NewGuid() },
            "unknown request id" => f.Renewed(T1, 99),
            _ => f.Renewed(T2, 1),
        };
        var fx = f.At(10, new AgentEvent.Received(answer));
        Assert.Empty(fx.OfType<AgentEffect.FenceDeadline>());
        Assert.Equal(AgentPhase.Requesting, f.State.Phase);
    }

    [Fact]
    public void A_confirmation_that_arrives_after_its_permission_ended_is_useless()
    {
        var f = new DeciderFixture();
        f.At(0, new AgentEvent.Received(f.Grant(T1)));
        var fx = f.At(2_600, new AgentEvent.Received(f.Renewed(T1, 1)));
        Assert.Empty(fx.OfType<AgentEffect.FenceDeadline>());
    }

    [Fact]
    public void Activation_delay_postpones_the_request_until_the_activation_point()
    {
        var f = new DeciderFixture();
        var fx = f.At(0, new AgentEvent.Received(f.Grant(T1, TimeSpan.FromSeconds(3))));
        Assert.Empty(fx.OfType<AgentEffect.Send>());
        Assert.Empty(f.At(2_999, AgentEvent.TheTick).OfType<AgentEffect.Send>());
        Assert.IsType<GrantRequest>(Assert.Single(f.At(3_000, AgentEvent.TheTick).OfType<AgentEffect.Send>()).Message);
    }

    [Fact]
    public void A_forger_renews_every_fifth_of_the_ttl_and_each_answer_moves_the_deadline_from_its_own_send_time()
    {
        var f = new DeciderFixture();
        f.Forging(T1, 0);
        Assert.Empty(f.At(999, AgentEvent.TheTick).OfType<AgentEffect.Send>());
        var renew = Assert.IsType<Renew>(Assert.Single(f.At(1_000, AgentEvent.TheTick).OfType<AgentEffect.Send>()).Message);
        var fx = f.At(1_050, new AgentEvent.Received(f.Renewed(T1, renew.RequestId)));
        Assert.Equal(3_500L * 1_000_000, Assert.Single(fx.OfType<AgentEffect.FenceDeadline>()).DeadlineNs);
    }

    [Fact]
    public void Renewals_that_do_not_arrive_in_time_disable_at_once_and_release_only_after_verified_off()
    {
        var f = new DeciderFixture();
        f.Forging(T1, 0); // permission until 2500 ms
        var fx = f.At(2_500, AgentEvent.TheTick);
        var disable = Assert.Single(fx.OfType<AgentEffect.FenceDisable>());
        Assert.Equal(AgentPhase.Releasing, f.State.Phase);
        Assert.DoesNotContain(fx.OfType<AgentEffect.Send>(), s => s.Message is Released);

        Assert.Empty(f.Fence(VerifiedForging.On, "g1").OfType<AgentEffect.Send>()); // an older state: not yet off
        var done = f.Fence(VerifiedForging.Off, disable.RequestId);
        Assert.IsType<Released>(Assert.Single(done.OfType<AgentEffect.Send>()).Message);
        Assert.Equal(AgentPhase.Idle, f.State.Phase);
    }

    [Fact]
    public void A_requested_term_refused_for_a_whole_ttl_after_activation_is_abandoned_and_released()
    {
        // Seen in sandboxes: a Grant with a 31 s activation delay was superseded (its successor's Grant never reached
        // this agent) and the agent asked for it every 0.5 s for minutes, each time refused "superseded by".
        var f = new DeciderFixture();
        f.At(0, new AgentEvent.Received(f.Grant(T1, TimeSpan.FromSeconds(3))));
        for (var ms = 3_000L; ms < 8_000; ms += 500)
        {
            var request = Assert.IsType<GrantRequest>(Assert.Single(f.At(ms, AgentEvent.TheTick).OfType<AgentEffect.Send>()).Message);
            f.Receive(new RenewRefused(DeciderFixture.Node, f.Rules.Incarnation, T1, request.RequestId, $"r1: superseded by {T2}"));
            Assert.Equal(AgentPhase.Requesting, f.State.Phase);
        }

        var fx = f.At(8_000, AgentEvent.TheTick); // activation 3 s + TTL 5 s
        Assert.Empty(fx.OfType<AgentEffect.Send>());
        var disable = Assert.Single(fx.OfType<AgentEffect.FenceDisable>());
        Assert.Equal(AgentPhase.Releasing, f.State.Phase);
        var released = Assert.IsType<Released>(Assert.Single(f.Fence(VerifiedForging.Off, disable.RequestId).OfType<AgentEffect.Send>()).Message);
        Assert.Equal(T1, released.Term);
        Assert.Equal(AgentPhase.Idle, f.State.Phase);
        Assert.DoesNotContain(f.At(9_000, AgentEvent.TheTick).OfType<AgentEffect.Send>(), s => s.Message is GrantRequest);

        // a later term is taken as usual; the abandoned one is not
        Assert.Empty(f.At(9_100, new AgentEvent.Received(f.Grant(T1))).OfType<AgentEffect.Send>());
        Assert.IsType<GrantRequest>(Assert.Single(f.At(9_200, new AgentEvent.Received(f.Grant(T2))).OfType<AgentEffect.Send>()).Message);
    }

    [Fact]
    public void A_requested_term_confirmed_late_but_within_its_ttl_is_kept()
    {
        var f = new DeciderFixture();
        f.At(0, new AgentEvent.Received(f.Grant(T1)));
        for (var ms = 500L; ms < 4_500; ms += 500) f.At(ms, AgentEvent.TheTick);
        var last = f.Effects.OfType<AgentEffect.Send>().Select(s => s.Message).OfType<GrantRequest>().Last();
        var deadline = Assert.Single(f.At(4_600, new AgentEvent.Received(f.Renewed(T1, last.RequestId))).OfType<AgentEffect.FenceDeadline>());
        f.At(4_900, new AgentEvent.FenceSeen(new FenceObservation(VerifiedForging.On, deadline.RequestId, 42, "up", SignalOutcome.Verified, null)));
        Assert.Empty(f.At(5_000, AgentEvent.TheTick).OfType<AgentEffect.FenceDisable>());
        Assert.Equal(AgentPhase.Holding, f.State.Phase);
    }

    [Fact]
    public void Answers_for_a_term_that_expired_are_ignored_even_when_they_arrive_later()
    {
        var f = new DeciderFixture();
        f.Forging(T1, 0);
        var renew = (Renew)f.At(1_000, AgentEvent.TheTick).OfType<AgentEffect.Send>().Single().Message;
        f.At(2_500, AgentEvent.TheTick);
        f.Fence(VerifiedForging.Off, f.State.FenceRequest);
        Assert.Empty(f.At(2_600, new AgentEvent.Received(f.Renewed(T1, renew.RequestId))).OfType<AgentEffect.FenceDeadline>());
        Assert.Empty(f.Receive(f.Grant(T1)).OfType<AgentEffect.Send>()); // nor a replayed grant of that term
        Assert.Equal(AgentPhase.Idle, f.State.Phase);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void A_revoke_disables_now_and_released_follows_verification(bool planned)
    {
        var f = new DeciderFixture();
        f.Forging(T1, 0);
        var fx = f.At(500, new AgentEvent.Received(f.Revoke(T1, planned)));
        var disable = Assert.Single(fx.OfType<AgentEffect.FenceDisable>());
        Assert.Empty(fx.OfType<AgentEffect.Send>());
        Assert.False(f.State.VerifiedForging);
        var released = Assert.IsType<Released>(Assert.Single(f.Fence(VerifiedForging.Off, disable.RequestId).OfType<AgentEffect.Send>()).Message);
        Assert.Equal(T1, released.Term);
        Assert.Equal(f.Rules.Incarnation, released.Incarnation);
    }

    [Fact]
    public void A_revoke_for_a_term_never_received_is_answered_with_released_when_nothing_forges()
    {
        var f = new DeciderFixture();
        var fx = f.Receive(f.Revoke(T2));
        Assert.IsType<Released>(Assert.Single(fx.OfType<AgentEffect.Send>()).Message);
        Assert.Empty(f.Receive(f.Grant(T2)).OfType<AgentEffect.Send>()); // and the term is over for this incarnation
    }

    [Fact]
    public void Sigterm_of_a_forger_asks_for_a_handover_first_then_exits_after_the_verified_release()
    {
        var f = new DeciderFixture();
        f.Forging(T1, 0);
        var fx = f.At(100, new AgentEvent.Shutdown());
        Assert.IsType<HandoverRequest>(Assert.Single(fx.OfType<AgentEffect.Send>()).Message);
        Assert.Empty(fx.OfType<AgentEffect.FenceDisable>());
        Assert.Empty(fx.OfType<AgentEffect.Exit>());
        var disable = Assert.Single(f.At(200, new AgentEvent.Received(f.Revoke(T1, planned: true))).OfType<AgentEffect.FenceDisable>());
        var done = f.Fence(VerifiedForging.Off, disable.RequestId);
        Assert.Contains(done, e => e is AgentEffect.Send { Message: Released });
        Assert.Contains(done, e => e is AgentEffect.Exit { Code: 0 });
    }

    [Fact]
    public void Sigterm_without_a_revoke_in_time_disables_anyway()
    {
        var f = new DeciderFixture();
        f.Forging(T1, 0);
        f.At(100, new AgentEvent.Shutdown());
        // keep renewing meanwhile so the permission itself does not lapse first
        for (var t = 1_000; t < 10_100; t += 1_000)
        {
            f.At(t - 1, new AgentEvent.FenceAlive());
            var r = f.At(t, AgentEvent.TheTick).OfType<AgentEffect.Send>().Select(s => s.Message).OfType<Renew>().SingleOrDefault();
            if (r is not null) f.At(t + 5, new AgentEvent.Received(f.Renewed(T1, r.RequestId)));
        }
        f.At(10_099, new AgentEvent.FenceAlive());
        Assert.Single(f.At(10_100, AgentEvent.TheTick).OfType<AgentEffect.FenceDisable>());
    }

    [Fact]
    public void Sigterm_of_an_idle_agent_exits_at_once()
    {
        var f = new DeciderFixture();
        Assert.Contains(f.At(0, new AgentEvent.Shutdown()), e => e is AgentEffect.Exit { Code: 0 });
    }

    [Fact]
    public void A_stalled_fence_holding_a_deadline_gets_its_node_killed_before_the_deadline()
    {
        var f = new DeciderFixture();
        f.Forging(T1, 0); // the fence last answered at 5 ms; deadline at 2500 ms
        Assert.Empty(f.At(1_000, AgentEvent.TheTick).OfType<AgentEffect.KillNode>());
        var fx = f.At(1_010, AgentEvent.TheTick);
        Assert.Equal(42, Assert.Single(fx.OfType<AgentEffect.KillNode>()).Pid);
        Assert.Contains(fx, e => e is AgentEffect.Alarm { Kind: "fence-stalled" });
        Assert.Equal(AgentPhase.Releasing, f.State.Phase);
        var done = f.Apply(new AgentEvent.NodeKillResult(true, "killed"));
        Assert.Contains(done, e => e is AgentEffect.Send { Message: Released });
    }

    [Fact]
    public void A_silent_fence_without_a_deadline_is_not_a_reason_to_kill()
    {
        var f = new DeciderFixture();
        Assert.Empty(f.At(60_000, AgentEvent.TheTick).OfType<AgentEffect.KillNode>());
    }

    [Fact]
    public void A_refused_registration_or_bad_credentials_never_take_a_grant()
    {
        var f = new DeciderFixture();
        f.Receive(new AgentRefused(DeciderFixture.Node, f.Rules.Incarnation, "credentials registered under another pool"));
        var fx = f.Receive(f.Grant(T1));
        Assert.Empty(fx.OfType<AgentEffect.Send>());
        Assert.Contains(fx, e => e is AgentEffect.Alarm);

        var g = new DeciderFixture();
        g.State = AgentState.Initial(0, "source KES key missing", g.Rules.NewPermission());
        Assert.Empty(g.Receive(g.Grant(T1)).OfType<AgentEffect.Send>());
    }

    [Fact]
    public void A_registration_answer_asks_for_a_status_report_at_once_and_nothing_else_does()
    {
        // The entity or link that just took the registration (re-created after its shard moved, a new link) tells the
        // arbiter nothing until the agent's first report: it must not wait for the status interval.
        var f = new DeciderFixture();
        Assert.Contains(f.At(100, new AgentEvent.Received(new AgentRegistered(DeciderFixture.Node, f.Rules.Incarnation, "c"))),
            e => e is AgentEffect.ReportNow);
        Assert.DoesNotContain(f.At(200, new AgentEvent.Received(new AgentRegistered(DeciderFixture.Node, Guid.NewGuid(), "c"))),
            e => e is AgentEffect.ReportNow); // another incarnation's answer
        Assert.DoesNotContain(f.At(300, new AgentEvent.Tick()), e => e is AgentEffect.ReportNow);
        Assert.DoesNotContain(f.Receive(f.Grant(T1)), e => e is AgentEffect.ReportNow);
    }

    [Fact]
    public void A_refused_registration_is_sent_again_at_the_retry_interval_until_accepted()
    {
        // A refusal can be transient (the coordinators have not loaded the pool's CardanoForgeCluster yet): the agent
        // asks again every RegistrationRetry, and stops asking once registered.
        var f = new DeciderFixture();
        f.At(1_000, new AgentEvent.Received(new AgentRefused(DeciderFixture.Node, f.Rules.Incarnation, "unknown pool")));
        Assert.DoesNotContain(f.At(5_999, new AgentEvent.Tick()), e => e is AgentEffect.Reregister);
        Assert.Contains(f.At(6_000, new AgentEvent.Tick()), e => e is AgentEffect.Reregister);
        Assert.DoesNotContain(f.At(6_020, new AgentEvent.Tick()), e => e is AgentEffect.Reregister);
        Assert.Contains(f.At(11_000, new AgentEvent.Tick()), e => e is AgentEffect.Reregister);

        f.At(11_100, new AgentEvent.Received(new AgentRegistered(DeciderFixture.Node, f.Rules.Incarnation, "coordinator-a")));
        Assert.Null(f.State.Refused);
        Assert.DoesNotContain(f.At(30_000, new AgentEvent.Tick()), e => e is AgentEffect.Reregister);
        Assert.NotEmpty(f.Receive(f.Grant(T1)).OfType<AgentEffect.Send>()); // eligible again: the grant is taken
    }

    [Fact]
    public void A_fence_that_cannot_verify_the_enable_raises_an_alarm()
    {
        var f = new DeciderFixture();
        f.At(0, new AgentEvent.Received(f.Grant(T1)));
        f.At(5, new AgentEvent.Received(f.Renewed(T1, 1)));
        var fx = f.Apply(new AgentEvent.FenceSeen(new FenceObservation(VerifiedForging.Unknown, f.State.FenceRequest, 42, "up",
            SignalOutcome.SendFailed, "signal not delivered")));
        Assert.Contains(fx, e => e is AgentEffect.Alarm { Kind: "signal" });
        Assert.Contains(fx, e => e is AgentEffect.Alarm { Kind: "enable-not-verified" });
        Assert.False(f.State.VerifiedForging);
    }

    [Fact]
    public void Unanswered_grant_requests_are_retried_with_fresh_ids()
    {
        var f = new DeciderFixture();
        f.At(0, new AgentEvent.Received(f.Grant(T1)));
        var retry = Assert.IsType<GrantRequest>(Assert.Single(f.At(500, AgentEvent.TheTick).OfType<AgentEffect.Send>()).Message);
        Assert.Equal(2, retry.RequestId);
        // the first request's answer still counts, from its own (earlier) send time
        var fx = f.At(600, new AgentEvent.Received(f.Renewed(T1, 1)));
        Assert.Equal(2_500L * 1_000_000, Assert.Single(fx.OfType<AgentEffect.FenceDeadline>()).DeadlineNs);
    }

    [Fact]
    public void A_higher_term_for_the_same_holder_supersedes_the_old_permission_at_once()
    {
        var f = new DeciderFixture();
        f.Forging(T1, 0);
        var fx = f.At(100, new AgentEvent.Received(f.Grant(T2)));
        Assert.Single(fx.OfType<AgentEffect.FenceDisable>());
        Assert.IsType<GrantRequest>(Assert.Single(fx.OfType<AgentEffect.Send>()).Message);
        Assert.Null(f.State.PermitUntil);
        Assert.False(f.State.VerifiedForging);
        // the old term's answers are ignored from now on
        Assert.Equal(T1, f.State.DeadTerm);
    }

    [Fact]
    public void Credentials_that_go_bad_make_the_node_ineligible_for_new_grants_with_an_alarm()
    {
        var f = new DeciderFixture();
        var fx = f.Apply(new AgentEvent.CredentialsChecked("source KES key missing: /s/kes.skey", "-"));
        Assert.Contains(fx, e => e is AgentEffect.Alarm { Kind: "credentials" });
        Assert.Empty(f.Receive(f.Grant(T1)).OfType<AgentEffect.Send>());
        f.Apply(new AgentEvent.CredentialsChecked(null, "fp"));
        Assert.IsType<GrantRequest>(Assert.Single(f.Receive(f.Grant(T2)).OfType<AgentEffect.Send>()).Message);
    }
}
