using System.Collections.Immutable;
using System.Text.Json.Nodes;
using Akka.Actor;
using Akka.TestKit.Xunit2;
using Forge.Arbiter;
using Forge.Decider;
using Forge.Kubernetes;
using Forge.Nodes;
using Forge.Protocol;
using Forge.Specs;
using Xunit;

namespace Forge.Tests.Kubernetes;

/// <summary>The projection actor with a fake region API, a probe as spec store and a probe as arbiter.</summary>
public sealed class CrdProjectionTests : TestKit
{
    private static readonly ProjectionSettings Settings = new("cardano", "default", "sa", TimeSpan.FromSeconds(2),
        TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(5), TimeSpan.FromMilliseconds(50), TimeSpan.FromMilliseconds(200));

    private readonly FakeForgeClusterApi _api = new();
    private readonly Akka.TestKit.TestProbe _specs;
    private readonly Akka.TestKit.TestProbe _arbiter;
    private volatile bool _expectCopyNotes; // most tests are about specs: the store probe skips copy notes

    public CrdProjectionTests()
    {
        _specs = CreateTestProbe();
        _specs.IgnoreMessages<NoteCopy>(_ => !_expectCopyNotes);
        _arbiter = CreateTestProbe();
        _api.Add("us-east-1-prod", "us-east-1", 1);
        _api.Add("us-west-2-prod", "us-west-2", 2);
    }

    private IActorRef Start()
    {
        var p = Sys.ActorOf(CrdProjection.Props(_api, _specs.Ref, _arbiter.Ref, null, Settings, "us-east-1"));
        _specs.ExpectMsg<SubscribeSpecs>();
        return p;
    }

    /// <summary>Started and past its first list (both resources reached the store, which confirmed them).</summary>
    private IActorRef StartListed()
    {
        var p = Start();
        foreach (var put in new[] { _specs.ExpectMsg<PutClusterSpec>(), _specs.ExpectMsg<PutClusterSpec>() })
            p.Tell(new SpecStored(put.PoolId, put.ClusterName, true));
        return p;
    }

    /// <summary>A pool state as the arbiter publishes it; by default its verdicts were decided on the fake API's specs
    /// (<paramref name="decidedOn"/> replaces that, e.g. with an older spec).</summary>
    private PoolState State(string target, DateTimeOffset decidedAt, bool verified = true, ClusterSpec? decidedOn = null)
    {
        var w = Forge.Tests.Decider.PoolWorld.Guide();
        var d = w.Step();
        var node = NodeId.Parse(target);
        var view = new NodeView("pool1", node, "us-east-1", Guid.NewGuid(), true, true, true, 100, 100,
            verified ? VerifiedForging.On : VerifiedForging.Off, SignalOutcome.Verified, 40, new TermId(1, "a"),
            new CredentialFingerprint("h", 1, 1, 40), null, "c", decidedAt);
        var verdicts = d.Clusters.Select(v => v with
        {
            DecidedSpec = decidedOn ?? (_api.Objects.TryGetValue(v.Name, out var o) ? ForgeClusterObject.FromJson(o).Spec : v.DecidedSpec),
        }).ToImmutableArray();
        return new PoolState("pool1", node, node, view.Incarnation, new TermId(1, "a"), "idle", d.Transition, verdicts, [view], [], decidedAt);
    }

    [Fact]
    public void Local_resources_go_to_the_spec_store_with_their_pool()
    {
        Start();
        var puts = new[] { _specs.ExpectMsg<PutClusterSpec>(), _specs.ExpectMsg<PutClusterSpec>() };
        Assert.Equal(["us-east-1-prod", "us-west-2-prod"], puts.Select(p => p.ClusterName).Order().ToArray());
        Assert.All(puts, p => Assert.Equal("pool1", p.PoolId));
        Assert.Equal(1, puts.Single(p => p.ClusterName == "us-east-1-prod").Spec.Priority);
    }

    [Fact]
    public void Status_follows_the_arbiter_and_is_not_rewritten_when_nothing_changed()
    {
        var p = Start();
        var now = DateTimeOffset.UtcNow;
        p.Tell(new PoolSpecs("pool1", ImmutableDictionary<string, SpecEntry>.Empty
            .Add("us-east-1-prod", new SpecEntry("pool1", "us-east-1-prod", ForgeClusterObject.FromJson(_api.Objects["us-east-1-prod"]).Spec, false, 1, now, now.AddSeconds(-5), "x"))
            .Add("us-west-2-prod", new SpecEntry("pool1", "us-west-2-prod", ForgeClusterObject.FromJson(_api.Objects["us-west-2-prod"]).Spec, false, 1, now, now.AddSeconds(-5), "x"))));
        p.Tell(new PoolStateChanged(State("us-east-1-prod/cardano-bp-0", now)));
        // Writes made before the state arrived (e.g. Unknown on a slow start) may come first: await the state's own.
        AwaitCondition(() => LastStatus("us-east-1-prod")?["activeLeader"]?.GetValue<string>() == "cardano-bp-0"
                             && LastStatus("us-west-2-prod")?["effectiveState"]?.GetValue<string>() == "Priority-based",
            TimeSpan.FromSeconds(5));
        var east = _api.StatusWrites.Last(w => w.Name == "us-east-1-prod").Status;
        Assert.Equal("cardano-bp-0", east["activeLeader"]!.GetValue<string>());
        Assert.True(east["forgingEnabled"]!.GetValue<bool>());
        Assert.Equal("Priority-based", east["effectiveState"]!.GetValue<string>());
        Assert.Equal("True", Condition(east, "SpecApplied"));
        var west = _api.StatusWrites.Last(w => w.Name == "us-west-2-prod").Status;
        Assert.Equal("", west["activeLeader"]!.GetValue<string>());

        var count = _api.StatusWrites.Count;
        for (var i = 0; i < 3; i++) p.Tell(new PoolStateChanged(State("us-east-1-prod/cardano-bp-0", now)));
        _arbiter.ExpectMsg<GetPoolState>(); // resync keeps asking
        Assert.Equal(count, _api.StatusWrites.Count);
    }

    [Fact]
    public void A_decision_re_made_later_with_the_same_outcome_writes_nothing()
    {
        // The arbiter re-decides every pool each sweep (a new DecidedAt each time); conditions keep their transition
        // times while their status holds, so steady state writes nothing (goal: at most one write per cluster per 5 min).
        var p = Start();
        var now = DateTimeOffset.UtcNow;
        p.Tell(new PoolStateChanged(State("us-east-1-prod/cardano-bp-0", now)));
        AwaitCondition(() => LastStatus("us-east-1-prod")?["activeLeader"]?.GetValue<string>() == "cardano-bp-0", TimeSpan.FromSeconds(5));
        var count = _api.StatusWrites.Count;
        for (var i = 1; i <= 3; i++) p.Tell(new PoolStateChanged(State("us-east-1-prod/cardano-bp-0", now.AddSeconds(10 * i))));
        _arbiter.ExpectMsg<GetPoolState>(); // a resync ran after the re-decisions
        Assert.Equal(count, _api.StatusWrites.Count);
    }

    [Fact]
    public void Unverified_forging_shows_no_active_leader()
    {
        var p = Start();
        p.Tell(new PoolStateChanged(State("us-east-1-prod/cardano-bp-0", DateTimeOffset.UtcNow, verified: false)));
        AwaitCondition(() => _api.StatusWrites.Any(w => w.Name == "us-east-1-prod"), TimeSpan.FromSeconds(5));
        var east = _api.StatusWrites.Last(w => w.Name == "us-east-1-prod").Status;
        Assert.Equal("", east["activeLeader"]!.GetValue<string>());
        Assert.False(east["forgingEnabled"]!.GetValue<bool>());
    }

    [Fact]
    public void Without_word_from_the_arbiter_the_region_shows_Unknown()
    {
        Start();
        AwaitCondition(() => _api.StatusWrites.Count(w => w.Status["effectiveState"]?.GetValue<string>() == "Unknown") >= 2,
            TimeSpan.FromSeconds(10));
        var s = _api.StatusWrites.Last().Status;
        Assert.Equal("ArbiterUnreachable", s["reason"]!.GetValue<string>());
        Assert.Equal("Unknown", Condition(s, "Forging"));
    }

    [Fact]
    public void An_expired_override_is_restored_with_an_event()
    {
        _api.Objects["us-east-1-prod"]["spec"]!["forgeState"] = "Disabled";
        _api.Objects["us-east-1-prod"]["spec"]!["override"] = new JsonObject { ["enabled"] = true, ["reason"] = "maint", ["expiresAt"] = "2026-01-01T00:00:00Z" };
        var p = StartListed();
        p.Tell(new RestoreOverrideRequested("pool1", "us-east-1-prod", DateTimeOffset.UtcNow, true, "override 'maint' expired"));
        AwaitCondition(() => !_api.SpecPatches.IsEmpty && !_api.Events.IsEmpty, TimeSpan.FromSeconds(5));
        var patch = _api.SpecPatches.Single().Patch;
        Assert.False(patch["override"]!["enabled"]!.GetValue<bool>());
        Assert.Equal("Priority-based", patch["forgeState"]!.GetValue<string>());
        Assert.Equal("OverrideExpired", _api.Events.Single().Reason);
    }

    [Fact]
    public void A_cluster_known_only_to_the_store_is_created_here_and_a_tombstone_deletes_the_old_copy()
    {
        var p = Start();
        _specs.ExpectMsg<PutClusterSpec>();
        _specs.ExpectMsg<PutClusterSpec>();
        var now = DateTimeOffset.UtcNow;
        p.Tell(new PoolSpecs("pool1", ImmutableDictionary<string, SpecEntry>.Empty
            .Add("eu-west-1-prod", new SpecEntry("pool1", "eu-west-1-prod", new ClusterSpec("eu-west-1", 3), false, 1, now, now, "projection:eu-west-1"))
            .Add("us-west-2-prod", new SpecEntry("pool1", "us-west-2-prod", null, true, 2, now, now.AddMinutes(1), "projection:us-west-2"))));
        AwaitCondition(() => _api.Created.Contains("eu-west-1-prod") && _api.Deleted.Contains("us-west-2-prod"), TimeSpan.FromSeconds(5));
    }

    [Fact]
    public void A_spec_edited_in_another_region_is_projected_here()
    {
        var p = StartListed();
        EditedInUsWest2(p, ("us-east-1-prod", new ClusterSpec("us-east-1", 1, "Disabled")));
        AwaitCondition(() => _api.SpecPatches.Any(s => s.Name == "us-east-1-prod"), TimeSpan.FromSeconds(5));
        // (the fake API does not apply patches, so resync projects it again: every one says the same)
        Assert.All(_api.SpecPatches, s => Assert.Equal(("us-east-1-prod", "Disabled"), (s.Name, s.Patch["forgeState"]!.GetValue<string>())));
    }

    [Fact]
    public void A_projection_that_failed_is_retried_at_the_next_resync()
    {
        var p = StartListed();
        _api.Down = true; // the patch times out while the watch stays up
        EditedInUsWest2(p, ("us-east-1-prod", new ClusterSpec("us-east-1", 1, "Disabled")));
        AwaitCondition(() => _api.RefusedSpecPatches > 0, TimeSpan.FromSeconds(5));
        Assert.Empty(_api.SpecPatches);
        _api.Down = false;
        AwaitCondition(() => _api.SpecPatches.Any(s => s.Name == "us-east-1-prod"), TimeSpan.FromSeconds(5));
    }

    [Fact]
    public void A_status_write_on_a_stale_copy_does_not_undo_an_edit_from_another_region()
    {
        var p = StartListed();
        EditedInUsWest2(p, ("us-west-2-prod", new ClusterSpec("us-west-2", 2, "Disabled")));
        // Before the projection's own patch lands here, a status write delivers the old spec again: not an edit.
        _api.Watch.Writer.TryWrite(new ForgeClusterChange(ForgeClusterChangeType.Upserted, ForgeClusterObject.FromJson(_api.Objects["us-west-2-prod"])));
        // A real edit here afterwards is stored, and it is the first thing stored: the stale copy never was.
        _api.Objects["us-west-2-prod"]["spec"]!["priority"] = 7;
        _api.Watch.Writer.TryWrite(new ForgeClusterChange(ForgeClusterChangeType.Upserted, ForgeClusterObject.FromJson(_api.Objects["us-west-2-prod"])));
        var put = _specs.ExpectMsg<PutClusterSpec>();
        Assert.Equal(("us-west-2-prod", 7), (put.ClusterName, put.Spec.Priority));
    }

    [Fact]
    public void After_a_restart_a_copy_behind_the_store_is_updated_and_an_edit_made_meanwhile_is_stored()
    {
        _api.Objects["us-west-2-prod"]["status"] = new JsonObject { ["observedGeneration"] = 1 }; // rendered here before
        _api.Objects["us-east-1-prod"]["metadata"]!["generation"] = 2; // edited after the last status written here
        _api.Objects["us-east-1-prod"]["status"] = new JsonObject { ["observedGeneration"] = 1 };
        _api.Down = true; // the store answers before the first list succeeds
        var p = Start();
        EditedInUsWest2(p, ("us-west-2-prod", new ClusterSpec("us-west-2", 2, "Disabled")), ("us-east-1-prod", new ClusterSpec("us-east-1", 1, "Disabled")));
        _api.Down = false;

        Assert.Equal("us-east-1-prod", _specs.ExpectMsg<PutClusterSpec>().ClusterName);
        AwaitCondition(() => _api.SpecPatches.Any(s => s.Name == "us-west-2-prod"), TimeSpan.FromSeconds(5));
        Assert.DoesNotContain(_api.SpecPatches, s => s.Name == "us-east-1-prod"); // its own edit, not yet confirmed by the store
        // The next thing stored is a later edit of us-west-2-prod here, not its stale copy.
        _api.Objects["us-west-2-prod"]["spec"]!["priority"] = 9;
        _api.Watch.Writer.TryWrite(new ForgeClusterChange(ForgeClusterChangeType.Upserted, ForgeClusterObject.FromJson(_api.Objects["us-west-2-prod"])));
        var put = _specs.ExpectMsg<PutClusterSpec>();
        Assert.Equal(("us-west-2-prod", 9), (put.ClusterName, put.Spec.Priority));
    }

    [Fact]
    public void A_deleted_resource_becomes_a_tombstone_in_the_store()
    {
        Start();
        _specs.ExpectMsg<PutClusterSpec>();
        _specs.ExpectMsg<PutClusterSpec>();
        _api.Watch.Writer.TryWrite(new ForgeClusterChange(ForgeClusterChangeType.Deleted, ForgeClusterObject.FromJson(_api.Objects["us-east-1-prod"])));
        var r = _specs.ExpectMsg<RemoveClusterSpec>();
        Assert.Equal(("pool1", "us-east-1-prod"), (r.PoolId, r.ClusterName));
    }

    [Fact]
    public void A_copy_deleted_here_is_not_created_again_by_a_resync_before_its_tombstone_shows()
    {
        // The store's view lags a removal by up to a notify interval; resyncs run every interval meanwhile. Creating the
        // copy again from the stale view brought the deleted cluster back everywhere (sandbox T13 failed on it).
        var p = StartListed();
        var at = DateTimeOffset.UtcNow.AddMinutes(-1);
        var east = Entry("us-east-1-prod", new ClusterSpec("us-east-1", 1), deleted: false, at, "projection:us-east-1");
        Stored(p, east);
        _api.Watch.Writer.TryWrite(new ForgeClusterChange(ForgeClusterChangeType.Deleted, ForgeClusterObject.FromJson(_api.Objects["us-east-1-prod"])));
        var removed = _specs.ExpectMsg<RemoveClusterSpec>();
        Stored(p, east); // a view from before the removal (e.g. published for another change)
        _specs.ExpectNoMsg(TimeSpan.FromMilliseconds(400)); // several resyncs on the stale view
        Assert.Empty(_api.Created);

        p.Tell(new SpecStored(removed.PoolId, removed.ClusterName, true));
        Stored(p, east with { Spec = null, Deleted = true, UpdatedAt = DateTimeOffset.UtcNow });
        _specs.ExpectNoMsg(TimeSpan.FromMilliseconds(300));
        Assert.Empty(_api.Created);
    }

    [Fact]
    public void Deleted_here_and_created_again_within_the_same_second_before_the_tombstone_arrives_is_kept_and_stored()
    {
        var p = StartListed();
        var second = DateTimeOffset.UtcNow;
        Stored(p, Entry("us-east-1-prod", new ClusterSpec("us-east-1", 1), deleted: false, at: second.AddSeconds(-5), "projection:us-east-1"));
        _api.Watch.Writer.TryWrite(new ForgeClusterChange(ForgeClusterChangeType.Deleted, ForgeClusterObject.FromJson(_api.Objects["us-east-1-prod"])));
        Assert.Equal("us-east-1-prod", _specs.ExpectMsg<RemoveClusterSpec>().ClusterName);
        // created again in the same second (creationTimestamp truncated), with the same spec, before the tombstone shows
        var again = _api.Add("us-east-1-prod", "us-east-1", 1, created: second);
        _api.Watch.Writer.TryWrite(new ForgeClusterChange(ForgeClusterChangeType.Upserted, ForgeClusterObject.FromJson(again)));
        Stored(p, Entry("us-east-1-prod", null, deleted: true, at: second.AddMilliseconds(900), "projection:us-east-1"));

        var put = _specs.FishForMessage<PutClusterSpec>(m => m.ClusterName == "us-east-1-prod", TimeSpan.FromSeconds(5));
        Assert.Equal(1, put.Spec.Priority);
        Assert.Empty(_api.Deleted);
    }

    [Fact]
    public void A_copy_deleted_by_another_regions_tombstone_and_created_again_here_within_the_second_is_stored()
    {
        var p = StartListed();
        var second = DateTimeOffset.UtcNow;
        var tombstone = Entry("us-east-1-prod", null, deleted: true, at: second.AddMilliseconds(900), "projection:us-west-2");
        Stored(p, tombstone);
        AwaitCondition(() => _api.Deleted.Contains("us-east-1-prod"), TimeSpan.FromSeconds(5)); // the old copy goes
        _api.Watch.Writer.TryWrite(new ForgeClusterChange(ForgeClusterChangeType.Deleted, ForgeClusterObject.FromJson(_api.Objects["us-east-1-prod"])));
        var again = _api.Add("us-east-1-prod", "us-east-1", 1, created: second);
        _api.Watch.Writer.TryWrite(new ForgeClusterChange(ForgeClusterChangeType.Upserted, ForgeClusterObject.FromJson(again)));

        _specs.FishForMessage<PutClusterSpec>(m => m.ClusterName == "us-east-1-prod", TimeSpan.FromSeconds(5));
        var deletes = _api.Deleted.Count; // of the old copy (resyncs repeat it until its deletion is seen)
        Stored(p, tombstone); // the store has not taken it yet: the new copy stays
        _specs.ExpectNoMsg(TimeSpan.FromMilliseconds(500)); // several resyncs
        Assert.Equal(deletes, _api.Deleted.Count);
    }

    [Fact]
    public void An_old_copy_is_still_deleted_after_an_earlier_deletion_and_creation_here()
    {
        var p = StartListed();
        var first = DateTimeOffset.UtcNow;
        // deleted elsewhere and created again here (the witness of that deletion must not vouch for this copy later)
        Stored(p, Entry("us-east-1-prod", null, deleted: true, at: first.AddSeconds(1), "projection:us-west-2"));
        AwaitCondition(() => _api.Deleted.Contains("us-east-1-prod"), TimeSpan.FromSeconds(5));
        _api.Watch.Writer.TryWrite(new ForgeClusterChange(ForgeClusterChangeType.Deleted, ForgeClusterObject.FromJson(_api.Objects["us-east-1-prod"])));
        var later = _api.Add("us-east-1-prod", "us-east-1", 1, created: first);
        _api.Watch.Writer.TryWrite(new ForgeClusterChange(ForgeClusterChangeType.Upserted, ForgeClusterObject.FromJson(later)));
        _specs.FishForMessage<PutClusterSpec>(m => m.ClusterName == "us-east-1-prod", TimeSpan.FromSeconds(5));
        _specs.ExpectNoMsg(TimeSpan.FromMilliseconds(300));
        var deletes = _api.Deleted.Count; // of the first copy (resyncs repeat it until its deletion is seen)
        // then deleted in another region while this one still holds that copy: it is old
        Stored(p, Entry("us-east-1-prod", null, deleted: true, at: first.AddSeconds(30), "projection:us-west-2"));
        AwaitCondition(() => _api.Deleted.Count > deletes, TimeSpan.FromSeconds(5));
    }

    [Fact]
    public void Each_copy_here_is_noted_in_the_store_once_per_copy_and_store_entry()
    {
        _expectCopyNotes = true;
        var p = Start();
        _specs.ExpectMsg<PutClusterSpec>();
        _specs.ExpectMsg<PutClusterSpec>();
        var at = DateTimeOffset.UtcNow.AddMinutes(-1);
        var east = Entry("us-east-1-prod", new ClusterSpec("us-east-1", 1), deleted: false, at, "projection:us-east-1");
        var west = Entry("us-west-2-prod", new ClusterSpec("us-west-2", 2), deleted: false, at, "projection:us-east-1");
        Stored(p, east, west);
        var notes = new[] { _specs.ExpectMsg<NoteCopy>(), _specs.ExpectMsg<NoteCopy>() }.ToDictionary(n => n.Copy.ClusterName);
        Assert.Equal(Uid("us-east-1-prod"), notes["us-east-1-prod"].Copy.Uid);
        Assert.All(notes.Values, n => Assert.Equal(("pool1", "us-east-1", at), (n.PoolId, n.Copy.Region, n.Copy.EntryFirstSeen)));
        Stored(p, east, west); // the store's view does not show the notes yet: still not sent twice
        _specs.ExpectNoMsg(TimeSpan.FromMilliseconds(300)); // and several resyncs

        // the cluster was deleted elsewhere and created again (a new store entry): this copy is noted for the new entry
        Stored(p, east with { FirstSeen = at.AddSeconds(30), UpdatedAt = at.AddSeconds(30) }, west);
        Assert.Equal(("us-east-1-prod", at.AddSeconds(30)), _specs.ExpectMsg<NoteCopy>() is var again ? (again.Copy.ClusterName, again.Copy.EntryFirstSeen) : default);
    }

    [Fact]
    public void A_copy_deleted_here_while_no_projection_was_watching_becomes_a_tombstone_not_a_new_copy()
    {
        var uid = Uid("us-east-1-prod");
        _api.Objects.TryRemove("us-east-1-prod", out _); // kubectl delete while this region's coordinators were restarting
        var p = Start();
        Assert.Equal("us-west-2-prod", _specs.ExpectMsg<PutClusterSpec>().ClusterName);
        var at = DateTimeOffset.UtcNow.AddMinutes(-1);
        var east = Entry("us-east-1-prod", new ClusterSpec("us-east-1", 1), deleted: false, at, "projection:us-east-1");
        StoredWithCopy(p, east, new CopySeen("us-east-1", "us-east-1-prod", uid, at));

        var removed = _specs.ExpectMsg<RemoveClusterSpec>();
        Assert.Equal(("pool1", "us-east-1-prod", "projection:us-east-1"), (removed.PoolId, removed.ClusterName, removed.Source));
        StoredWithCopy(p, east, new CopySeen("us-east-1", "us-east-1-prod", uid, at)); // the tombstone is on its way
        _specs.ExpectNoMsg(TimeSpan.FromMilliseconds(300)); // several resyncs: removed once
        Stored(p, east with { Spec = null, Deleted = true, UpdatedAt = DateTimeOffset.UtcNow });
        _specs.ExpectNoMsg(TimeSpan.FromMilliseconds(300));
        Assert.Empty(_api.Created);
    }

    [Theory]
    [InlineData("no note")]
    [InlineData("a note of an earlier entry of that name")]
    [InlineData("a note from another region")]
    public void A_live_cluster_without_a_copy_here_is_created_unless_this_region_held_a_copy_of_that_entry(string note)
    {
        _api.Objects.TryRemove("us-east-1-prod", out _);
        var p = Start();
        _specs.ExpectMsg<PutClusterSpec>();
        var at = DateTimeOffset.UtcNow.AddMinutes(-1);
        var east = Entry("us-east-1-prod", new ClusterSpec("us-east-1", 1), deleted: false, at, "projection:us-west-2");
        CopySeen? copy = note switch
        {
            "a note of an earlier entry of that name" => new CopySeen("us-east-1", "us-east-1-prod", "old-uid", at.AddMinutes(-5)),
            "a note from another region" => new CopySeen("us-west-2", "us-east-1-prod", "their-uid", at),
            _ => null,
        };
        StoredWithCopy(p, east, copy);
        AwaitCondition(() => _api.Created.Contains("us-east-1-prod"), TimeSpan.FromSeconds(5));
        _specs.ExpectNoMsg(TimeSpan.FromMilliseconds(200));
    }

    private string Uid(string cluster) => _api.Objects[cluster]["metadata"]!["uid"]!.GetValue<string>();

    private static void StoredWithCopy(IActorRef projection, SpecEntry entry, CopySeen? copy) =>
        projection.Tell(new PoolSpecs("pool1", ImmutableDictionary<string, SpecEntry>.Empty.Add(entry.ClusterName, entry),
            copy is null ? null : ImmutableDictionary<string, CopySeen>.Empty.Add(CopySeen.KeyOf(copy.Region, copy.ClusterName), copy)));

    private static SpecEntry Entry(string cluster, ClusterSpec? spec, bool deleted, DateTimeOffset at, string source) =>
        new("pool1", cluster, spec, deleted, 1, at, at, source);

    private static void Stored(IActorRef projection, params SpecEntry[] entries) =>
        projection.Tell(new PoolSpecs("pool1", entries.ToImmutableDictionary(e => e.ClusterName)));

    [Fact]
    public void An_API_outage_is_survived_and_status_catches_up()
    {
        _api.Down = true;
        var p = Start();
        p.Tell(new PoolStateChanged(State("us-east-1-prod/cardano-bp-0", DateTimeOffset.UtcNow)));
        _api.Down = false;
        AwaitCondition(() => _api.StatusWrites.Any(w => w.Name == "us-east-1-prod"), TimeSpan.FromSeconds(10));
    }

    [Fact]
    public void A_missing_permission_is_named_in_a_condition()
    {
        _api.ForbidEvents = true;
        _api.Objects["us-east-1-prod"]["spec"]!["override"] = new JsonObject { ["enabled"] = true, ["expiresAt"] = "2026-01-01T00:00:00Z" };
        var p = StartListed();
        p.Tell(new RestoreOverrideRequested("pool1", "us-east-1-prod", DateTimeOffset.UtcNow, false, "expired"));
        p.Tell(new PoolStateChanged(State("us-east-1-prod/cardano-bp-0", DateTimeOffset.UtcNow)));
        AwaitCondition(() => _api.StatusWrites.Any(w => Condition(w.Status, "PermissionsMissing") == "True"
            && w.Status["conditions"]!.ToJsonString().Contains("may not create events", StringComparison.Ordinal)), TimeSpan.FromSeconds(10));
    }

    [Fact]
    public void An_edit_is_pending_until_a_verdict_is_made_from_it_whatever_the_clocks_say()
    {
        var p = StartListed();
        var before = ForgeClusterObject.FromJson(_api.Objects["us-east-1-prod"]).Spec;
        _api.Objects["us-east-1-prod"]["spec"]!["forgeState"] = "Disabled";
        _api.Watch.Writer.TryWrite(new ForgeClusterChange(ForgeClusterChangeType.Upserted, ForgeClusterObject.FromJson(_api.Objects["us-east-1-prod"])));
        _specs.FishForMessage<PutClusterSpec>(s => s.ClusterName == "us-east-1-prod" && s.Spec.ForgeState == "Disabled");

        // Decided on the old spec, with a decision time far after the edit (a clock ahead): still pending.
        p.Tell(new PoolStateChanged(State("us-east-1-prod/cardano-bp-0", DateTimeOffset.UtcNow.AddHours(1), decidedOn: before)));
        AwaitCondition(() => LastStatus("us-east-1-prod") is { } s && Condition(s, "SpecApplied") == "False", TimeSpan.FromSeconds(5));

        // Decided on the edited spec, with a decision time before the edit (a clock behind): applied.
        p.Tell(new PoolStateChanged(State("us-east-1-prod/cardano-bp-0", DateTimeOffset.UtcNow.AddHours(-1))));
        AwaitCondition(() => LastStatus("us-east-1-prod") is { } s && Condition(s, "SpecApplied") == "True", TimeSpan.FromSeconds(5));
    }

    /// <summary>The store tells the projection of an edit made through us-west-2's API.</summary>
    private static void EditedInUsWest2(IActorRef projection, params (string Cluster, ClusterSpec Spec)[] edits)
    {
        var now = DateTimeOffset.UtcNow;
        projection.Tell(new PoolSpecs("pool1", edits.ToImmutableDictionary(e => e.Cluster,
            e => new SpecEntry("pool1", e.Cluster, e.Spec, false, 2, now, now, "projection:us-west-2"))));
    }

    private JsonObject? LastStatus(string name) => _api.StatusWrites.LastOrDefault(w => w.Name == name).Status;

    private static string? Condition(JsonObject status, string type) =>
        (status["conditions"] as JsonArray)!.OfType<JsonObject>().FirstOrDefault(c => c["type"]!.GetValue<string>() == type)?["status"]?.GetValue<string>();
}
