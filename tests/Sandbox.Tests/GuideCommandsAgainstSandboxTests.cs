using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Forge.Kubernetes.Tests.Support;

namespace Forge.Sandbox.Tests;

/// <summary>
/// Every kubectl command of the operations guide on CardanoForgeClusters, run verbatim (the guide's own text, parsed
/// from the file, with its script's variables) by bash and the real kubectl against the running sandbox, each followed
/// by what the guide promises: who forges (status and the forge logs), the status fields, the printed columns.
/// Each test starts from the sandbox's normal state (us-east-1-prod forging, all Priority-based) and puts it back.
/// Commands that only set up a guide scenario (e.g. breaking a health endpoint) or undo one are plain kubectl.
/// T98 fails when a guide command on CardanoForgeClusters was neither run here nor listed as not served.
/// </summary>
public sealed partial class SandboxProcessTests
{
    private const string East = "us-east-1-prod";
    private const string West = "us-west-2-prod";
    private const string Eu = "eu-west-1-prod";
    private static readonly string[] Names = [East, West, Eu];
    private static readonly TimeSpan MoveLimit = TimeSpan.FromSeconds(45); // a deadline, not a speed target

    /// <summary>Guide commands on CardanoForgeClusters that the sandbox cannot serve, with why. Every one is served.</summary>
    private static readonly IReadOnlyDictionary<string, string> NotServedBySandbox = new Dictionary<string, string>();

    private static readonly Lazy<IReadOnlyList<GuideCommand>> GuideOnClusters = new(() =>
        OperationsGuide.Commands(File.ReadAllText(OperationsGuide.Locate(RepositoryRoot))).Where(c => c.OnForgeClusters).ToList());

    private static readonly ConcurrentDictionary<string, int> GuideRan = new(StringComparer.Ordinal);
    private static readonly ConcurrentDictionary<string, JsonObject> OriginalSpecs = new(StringComparer.Ordinal);
    private static JsonObject? _eastAsCreated;

    private static string RepositoryRoot => Binaries.RepositoryRoot(AppContext.BaseDirectory)!;

    [Fact]
    public void T10_guide_reads_print_what_the_guide_shows()
    {
        AwaitNormal();
        var leader = Leader(East);

        var wide = PrintedTable.Parse(GuideOk("kubectl get cardanoforgeclusters -o wide"));
        Assert.Equal(["NAME", "STATE", "PRIORITY", "REGION", "ACTIVE LEADER", "HEALTHY", "AGE"], wide.Headers);
        Assert.Equal(["Priority-based", "1", "us-east-1", leader, "true"], Cells(wide.Row(East), "STATE", "PRIORITY", "REGION", "ACTIVE LEADER", "HEALTHY"));
        Assert.Equal(["2", "us-west-2", ""], Cells(wide.Row(West), "PRIORITY", "REGION", "ACTIVE LEADER"));
        Assert.Equal(["3", "eu-west-1", ""], Cells(wide.Row(Eu), "PRIORITY", "REGION", "ACTIVE LEADER"));
        Assert.All(wide.Rows, r => Assert.Matches(@"^\d+[smhd]", r["AGE"]));

        Assert.Equal("1", GuideOk("kubectl get cardanoforgeCluster us-east-1-prod -o jsonpath='{.spec.priority}'"));
        Assert.Equal("2", GuideOk("kubectl get cardanoforgeCluster us-west-2-prod -o jsonpath='{.spec.priority}'"));

        var morning = PrintedTable.Parse(GuideOk("kubectl get cardanoforgeclusters -o custom-columns=", "STATE:.status.effectiveState"));
        Assert.Equal(["NAME", "STATE", "PRIORITY", "LEADER", "HEALTHY"], morning.Headers);
        Assert.Equal(["Priority-based", "1", leader, "true"], Cells(morning.Row(East), "STATE", "PRIORITY", "LEADER", "HEALTHY"));
        Assert.Equal("", morning.Row(West)["LEADER"]);
        Assert.Equal("", morning.Row(Eu)["LEADER"]);

        var review = PrintedTable.Parse(GuideOk("kubectl get cardanoforgeclusters -o custom-columns='NAME:.metadata.name,PRIORITY:.spec.priority' --sort-by="));
        Assert.Equal([East, West, Eu], review.Rows.Select(r => r["NAME"]));
        Assert.Equal(["1", "2", "3"], review.Rows.Select(r => r["PRIORITY"]));

        Assert.Equal("true true true", GuideOk("kubectl get cardanoforgeclusters -o jsonpath='{.items[*].status.healthStatus.healthy}'"));

        // Monthly check: every cluster's health endpoint answers (the sandbox's are the agents' /healthz).
        var probes = GuideOk("| xargs -I {} curl -f {}");
        Assert.Equal(3, probes.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);

        var endpoint = GuideThen("printf '%s' \"$ENDPOINT\"", "ENDPOINT=$(kubectl get cardanoforgeCluster us-east-1-prod");
        Assert.Equal(sandbox.Manifest().Regions[0].Nodes[0].AgentMetrics.Replace("/metrics", "/healthz", StringComparison.Ordinal), endpoint.Out);

        var all = GuideOk("kubectl describe cardanoforgeclusters");
        foreach (var name in Names) Assert.Matches($@"(?m)^Name:\s+{name}$", all);
        Assert.Contains("Effective State:", all, StringComparison.Ordinal);
        Assert.Matches(@"Normal\s+ForgingMoved\s+.*forging moved to us-east-1-prod/", all);

        var one = GuideOk("kubectl describe cardanoforgeCluster us-east-1-prod");
        Assert.Matches($@"(?m)^Name:\s+{East}$", one);
        Assert.Matches($@"Active Leader:\s+{leader}", one);
        Assert.DoesNotMatch($@"(?m)^Name:\s+{West}$", one);
    }

    [Fact]
    public void T11_guide_maintenance_failover_moves_forging_and_restore_brings_it_back()
    {
        InScenario(() =>
        {
            GuideOk("kubectl get cardanoforgeclusters -o wide");
            var disabledAt = DateTimeOffset.UtcNow;
            Assert.Contains($"{East} patched", GuideOk("kubectl patch cardanoforgeCluster $PRIMARY_CLUSTER", "Scheduled maintenance"), StringComparison.Ordinal);
            var secondary = AwaitGuide(s => s.Length > 0, "kubectl get cardanoforgeCluster $SECONDARY_CLUSTER -o jsonpath='{.status.activeLeader}'");
            AwaitForgedBy(West, disabledAt);
            AwaitEveryRegion($"{East} Disabled with the override, {West} forging", c => Str(c[East], "spec.forgeState") == "Disabled"
                && Bool(c[East], "spec.override.enabled") == true && Str(c[East], "status.effectiveState") == "Disabled" && Leader(c[West]) == secondary);
            var east = Cluster(East);
            Assert.Equal(("Disabled", "", (bool?)true), (Str(east, "status.effectiveState"), Str(east, "status.activeLeader"), Bool(east, "spec.override.enabled")));
            Assert.Equal("True", Condition(east, "OverrideActive"));
            var expires = DateTimeOffset.Parse(Str(east, "spec.override.expiresAt")!, System.Globalization.CultureInfo.InvariantCulture);
            Assert.InRange(expires - disabledAt, TimeSpan.FromHours(4) - TimeSpan.FromMinutes(1), TimeSpan.FromHours(4) + TimeSpan.FromMinutes(1));
            var during = PrintedTable.Parse(GuideOk("kubectl get cardanoforgeclusters -o wide"));
            Assert.Equal(["Disabled", ""], Cells(during.Row(East), "STATE", "ACTIVE LEADER"));
            Assert.Equal(secondary, during.Row(West)["ACTIVE LEADER"]);

            var restoredAt = DateTimeOffset.UtcNow;
            Assert.Contains($"{East} patched", GuideOk("kubectl patch cardanoforgeCluster $PRIMARY_CLUSTER", "\"forgeState\": \"Priority-based\",", "\"enabled\": false"), StringComparison.Ordinal);
            var primary = AwaitGuide(s => s.Length > 0, "kubectl get cardanoforgeCluster $PRIMARY_CLUSTER -o jsonpath='{.status.activeLeader}'");
            AwaitForgedBy(East, restoredAt);
            AwaitClusters($"{West} shows no leader", c => Leader(c[West]) == "");
            var after = PrintedTable.Parse(GuideOk("kubectl get cardanoforgeclusters -o wide"));
            Assert.Equal(["Priority-based", primary, "true"], Cells(after.Row(East), "STATE", "ACTIVE LEADER", "HEALTHY"));
            Assert.Equal("", after.Row(West)["ACTIVE LEADER"]);
        });
    }

    [Fact]
    public void T12_guide_emergency_failover_forces_the_backup()
    {
        InScenario(() =>
        {
            var at = DateTimeOffset.UtcNow;
            var failed = GuideOk("kubectl patch cardanoforgeCluster $FAILED_CLUSTER", "Emergency failover - primary cluster failure");
            Assert.DoesNotContain("WARNING", failed, StringComparison.Ordinal);
            GuideOk("kubectl patch cardanoforgeCluster $BACKUP_CLUSTER", "\"forcePriority\": 1");
            AwaitClusters($"{West} forging", c => Leader(c[West]) != "");
            AwaitForgedBy(West, at);
            // The leader can move on the first patch alone (the primary disabled); the forced priority reaches the
            // printed status when the arbiter's verdict on the second patch is written, so the guide's check is
            // awaited rather than read once.
            var backup = PrintedTable.Parse(AwaitGuide(o => PrintedTable.Parse(o).Row(West)["PRIORITY"] == "1",
                "kubectl get cardanoforgeCluster $BACKUP_CLUSTER -o wide"));
            var row = Assert.Single(backup.Rows);
            Assert.Equal([West, "Priority-based", "1", Leader(West)], Cells(row, "NAME", "STATE", "PRIORITY", "ACTIVE LEADER"));
            AwaitClusters($"{East} disabled with no leader", c => Str(c[East], "status.effectiveState") == "Disabled" && Leader(c[East]) == "");
        });
    }

    [Fact]
    public void T13_guide_disaster_recovery_delete_removes_the_cluster_everywhere_and_creating_it_again_brings_it_back()
    {
        InScenario(() =>
        {
            var deletedAt = DateTimeOffset.UtcNow;
            Assert.Contains($"\"{East}\" deleted", GuideOk("kubectl delete cardanoforgeCluster us-east-1-prod"), StringComparison.Ordinal);
            AwaitEveryRegionLists([West, Eu]);
            AwaitClusters($"{West} forging", c => !c.ContainsKey(East) && Leader(c[West]) != "");
            AwaitForgedBy(West, deletedAt);

            // "... restore primary cluster ...": create it again. creationTimestamp has whole seconds, and a copy created
            // before the deletion must stay deleted, so the new one is created in a later second (see deploy/README.md).
            Poll.Until(() => DateTimeOffset.UtcNow >= deletedAt.AddSeconds(2), TimeSpan.FromSeconds(5), "a second after the deletion");
            var recreatedAt = DateTimeOffset.UtcNow;
            CreateEastAgain();
            AwaitEveryRegionLists(Names);
            AwaitClusters($"{East} forging again", c => c.ContainsKey(East) && Leader(c[East]) != "" && Leader(c[West]) == "");
            AwaitForgedBy(East, recreatedAt);
        });
    }

    [Fact]
    public void T14_guide_troubleshooting_disable_secondaries_then_no_forger_then_enable_primary()
    {
        InScenario(() =>
        {
            // Issue 2 resolution: every cluster but the lowest spec.priority is disabled; the primary keeps forging.
            var patched = GuideOk("tail -n +2 | xargs -I {} kubectl patch {} --type='merge'");
            Assert.Contains($"{West} patched", patched, StringComparison.Ordinal);
            Assert.Contains($"{Eu} patched", patched, StringComparison.Ordinal);
            AwaitEveryRegion("secondaries Disabled, primary forging", c => Str(c[West], "status.effectiveState") == "Disabled"
                && Str(c[Eu], "status.effectiveState") == "Disabled" && Leader(c[East]) != "");
            Assert.Equal("Priority-based", Str(Cluster(East), "spec.forgeState"));

            // Issue 1's symptom: no cluster forges.
            Kubectl("patch", "cardanoforgecluster", East, "--type=merge", "-p", """{"spec":{"forgeState":"Disabled"}}""");
            AwaitClusters("no forger", c => Names.All(n => Leader(c[n]) == "" && Str(c[n], "status.effectiveState") == "Disabled"));
            var symptom = PrintedTable.Parse(GuideOk("kubectl get cardanoforgeclusters"));
            Assert.Equal(["NAME", "STATE", "PRIORITY", "ACTIVE LEADER"], symptom.Headers);
            Assert.All(symptom.Rows, r => Assert.Equal(("Disabled", ""), (r["STATE"], r["ACTIVE LEADER"])));

            // Issue 1 resolution: enable the highest-priority cluster, which forges again.
            var enabledAt = DateTimeOffset.UtcNow;
            GuideOk("kubectl patch cardanoforgeCluster us-east-1-prod", "{\"forgeState\": \"Priority-based\"}");
            var primary = AwaitGuide(o => PrintedTable.Parse(o).Row(East)["ACTIVE LEADER"].Length > 0,
                "kubectl get cardanoforgeCluster us-east-1-prod -o wide");
            Assert.Equal(["Priority-based", "1", "true"], Cells(PrintedTable.Parse(primary).Row(East), "STATE", "PRIORITY", "HEALTHY"));
            AwaitForgedBy(East, enabledAt);
        });
    }

    [Fact]
    public void T15_guide_failing_health_checks_move_forging_and_disabling_them_brings_it_back()
    {
        InScenario(() =>
        {
            // Issue 3's symptom: the primary's endpoint is down (a port nothing listens on; probes every second).
            var failingAt = DateTimeOffset.UtcNow;
            Kubectl("patch", "cardanoforgecluster", East, "--type=merge", "-p",
                """{"spec":{"healthCheck":{"endpoint":"http://127.0.0.1:9/healthz","interval":"1s"}}}""");
            AwaitGuide(s => s == "true false true", "kubectl get cardanoforgeclusters -o jsonpath='{.items[*].status.healthStatus.healthy}'");
            AwaitClusters($"{West} forging while {East} is unhealthy", c => Leader(c[West]) != "" && Leader(c[East]) == "");
            AwaitForgedBy(West, failingAt);
            var endpoint = GuideThen("printf '%s' \"$ENDPOINT\"", "ENDPOINT=$(kubectl get cardanoforgeCluster us-east-1-prod");
            Assert.Equal("http://127.0.0.1:9/healthz", endpoint.Out);

            // Resolution: disable its health checks; it counts as healthy and, as the best cluster, forges again.
            var disabledAt = DateTimeOffset.UtcNow;
            GuideOk("kubectl patch cardanoforgeCluster us-east-1-prod", "{\"healthCheck\": {\"enabled\": false}}");
            AwaitClusters($"{East} healthy and forging", c => Bool(c[East], "status.healthStatus.healthy") == true && Leader(c[East]) != "");
            AwaitForgedBy(East, disabledAt);
        });
    }

    [Fact]
    public void T16_guide_rbac_check_answers_from_the_real_role()
    {
        AwaitNormal();
        // The sandbox's emulators hold no RBAC (the coordinators there are administrators): load the manifests' Role.
        var rbac = Kubectl("apply", "-f", Path.Combine(RepositoryRoot, "deploy", "base", "coordinator-rbac.yaml"));
        Assert.True(rbac.Code == 0, rbac.Err);

        // kubectl reads cardanoforgeclusters/status as a cluster named "status": the guide asks whether the coordinators
        // may PUT a whole resource, which least privilege does not grant (they merge-patch status). See deploy/README.md.
        var guide = Guide("kubectl auth can-i update cardanoforgeclusters/status");
        Assert.Equal((1, "no\n"), (guide.Code, guide.Out));
        var subresource = Kubectl("auth", "can-i", "patch", "cardanoforgeclusters", "--subresource=status",
            "--as=system:serviceaccount:cardano:forge-manager");
        Assert.Equal((0, "yes\n"), (subresource.Code, subresource.Out));
    }

    [Fact]
    public void T17_invalid_patches_are_refused_with_the_apiservers_message_and_nothing_changes()
    {
        AwaitNormal();
        foreach (var (patch, message) in new[]
                 {
                     ("""{"spec":{"priority":0}}""", "spec.priority: Invalid value: 0: spec.priority in body should be greater than or equal to 1"),
                     ("""{"spec":{"forgeState":"Maybe"}}""", "spec.forgeState: Unsupported value: \"Maybe\": supported values: \"Priority-based\", \"Enabled\", \"Disabled\""),
                 })
        {
            var before = Cluster(East);
            var refused = Kubectl("patch", "cardanoforgeCluster", East, "--type=merge", "-p", patch);
            Log(refused.Err);
            Assert.Equal((1, $"The CardanoForgeCluster \"{East}\" is invalid: {message}\n"), (refused.Code, refused.Err));
            var after = Cluster(East);
            Assert.Equal((before["spec"]!.ToJsonString(), Str(before, "metadata.uid")), (after["spec"]!.ToJsonString(), Str(after, "metadata.uid")));
            Assert.Equal(At(before, "metadata.generation")!.ToJsonString(), At(after, "metadata.generation")!.ToJsonString());
        }
        AwaitNormal(); // us-east-1-prod still forges
    }

    [Fact]
    public void T98_every_guide_command_on_cardanoforgeclusters_was_run_and_no_slot_was_forged_twice()
    {
        var commands = GuideOnClusters.Value.Select(c => c.Text).Distinct(StringComparer.Ordinal).ToList();
        Log($"{commands.Count} distinct guide commands on CardanoForgeClusters; run: {GuideRan.Count}; not served: {NotServedBySandbox.Count}");
        var missed = commands.Where(c => !GuideRan.ContainsKey(c) && !NotServedBySandbox.ContainsKey(c)).ToList();
        Assert.True(missed.Count == 0, "guide commands neither run against the sandbox nor listed as not served:\n" + string.Join("\n---\n", missed));
        Assert.Empty(NotServedBySandbox.Keys.Except(commands));
        var violations = ForgeLogChecker.Violations(sandbox.ForgeLogs());
        Assert.True(violations.Count == 0, string.Join('\n', violations));
    }

    // ---- running the guide's commands ----

    private static GuideCommand FindGuide(string[] fragments)
    {
        var all = GuideOnClusters.Value;
        var exact = all.Where(c => c.Text == fragments[0]).ToList();
        var found = (exact.Count > 0 ? exact : all.Where(c => fragments.All(f => c.Text.Contains(f, StringComparison.Ordinal))))
            .DistinctBy(c => c.Text).ToList();
        Assert.True(found.Count == 1, $"one guide command with {string.Join(" + ", fragments)} expected, found {found.Count}: the guide changed?");
        return found[0];
    }

    /// <summary>Runs the guide command named by <paramref name="fragments"/> (its exact text, or the only one containing
    /// them all) verbatim in bash after its script's variables, then <paramref name="after"/>.</summary>
    private (int Code, string Out, string Err) GuideThen(string after, params string[] fragments)
    {
        var command = FindGuide(fragments);
        GuideRan.AddOrUpdate(command.Text, 1, (_, n) => n + 1);
        var script = string.Join('\n', command.Variables.Append(command.Text).Append(after));
        var result = Run.Program("bash", ["-c", script], KubeEnv(), TimeSpan.FromSeconds(60));
        Log($"{DateTime.UtcNow:HH:mm:ss.f} $ {command.Text}    # guide line {command.Line}, exit {result.Code}\n{result.Out}{result.Err}");
        return result;
    }

    private (int Code, string Out, string Err) Guide(params string[] fragments) => GuideThen("", fragments);

    private string GuideOk(params string[] fragments)
    {
        var r = Guide(fragments);
        Assert.True(r.Code == 0, $"exit {r.Code}: {r.Err}");
        return r.Out;
    }

    /// <summary>Runs a guide command until its output satisfies <paramref name="ok"/>; returns that output.</summary>
    private string AwaitGuide(Func<string, bool> ok, params string[] fragments)
    {
        var command = FindGuide(fragments);
        GuideRan.AddOrUpdate(command.Text, 1, (_, n) => n + 1);
        var script = string.Join('\n', command.Variables.Append(command.Text));
        var last = (Code: -1, Out: "", Err: "");
        try
        {
            Poll.Until(() =>
            {
                last = Run.Program("bash", ["-c", script], KubeEnv(), TimeSpan.FromSeconds(60));
                return last.Code == 0 && ok(last.Out);
            }, MoveLimit, command.Text);
        }
        finally
        {
            Log($"{DateTime.UtcNow:HH:mm:ss.f} $ {command.Text}    # guide line {command.Line}, until the guide's promise holds; last: exit {last.Code}\n{last.Out}{last.Err}");
        }
        return last.Out;
    }

    // ---- the sandbox's state, read with plain kubectl ----

    private Dictionary<string, JsonObject> Clusters(string? context = null)
    {
        var args = context is null ? new[] { "get", "cardanoforgeclusters", "-o", "json" } : ["--context", context, "get", "cardanoforgeclusters", "-o", "json"];
        var r = Kubectl(args);
        if (r.Code != 0) return [];
        return (JsonNode.Parse(r.Out)!["items"] as JsonArray ?? []).OfType<JsonObject>()
            .ToDictionary(o => Str(o, "metadata.name")!, StringComparer.Ordinal);
    }

    private JsonObject Cluster(string name) => Clusters()[name];

    private string Leader(string name) => Leader(Cluster(name));

    private static string Leader(JsonObject o) => Str(o, "status.activeLeader") ?? "";

    private void AwaitClusters(string what, Func<Dictionary<string, JsonObject>, bool> ok)
    {
        var last = new Dictionary<string, JsonObject>();
        try
        {
            Poll.Until(() => Holds(ok, last = Clusters()), MoveLimit, what);
        }
        catch (TimeoutException)
        {
            Log(string.Join('\n', last.Values.Select(o => o.ToJsonString())));
            throw;
        }
    }

    /// <summary>Every region's API (each kubeconfig context) shows what <paramref name="ok"/> wants.</summary>
    private void AwaitEveryRegion(string what, Func<Dictionary<string, JsonObject>, bool> ok)
    {
        var last = new Dictionary<string, string>();
        try
        {
            Poll.Until(() => sandbox.Manifest().Regions.All(r =>
            {
                var clusters = Clusters(r.Context);
                last[r.Context] = string.Join(", ", clusters.Keys.Order(StringComparer.Ordinal));
                return Holds(ok, clusters);
            }), MoveLimit, $"every region's API: {what}");
        }
        catch (TimeoutException)
        {
            Log("what each region's API listed last:\n" + string.Join('\n', last.Select(kv => $"  {kv.Key}: {kv.Value}")));
            throw;
        }
    }

    /// <summary>A cluster missing from the list (e.g. a kubectl call that failed) is "not yet", not an error.</summary>
    private static bool Holds(Func<Dictionary<string, JsonObject>, bool> ok, Dictionary<string, JsonObject> clusters)
    {
        try
        {
            return ok(clusters);
        }
        catch (KeyNotFoundException)
        {
            return false;
        }
    }

    private void AwaitEveryRegionLists(string[] names) =>
        AwaitEveryRegion($"exactly {string.Join(", ", names)}",
            c => c.Keys.Order(StringComparer.Ordinal).SequenceEqual(names.Order(StringComparer.Ordinal)));

    /// <summary>The ground truth: a node of <paramref name="cluster"/> wrote a forged slot after <paramref name="after"/>.</summary>
    private void AwaitForgedBy(string cluster, DateTimeOffset after) =>
        Poll.Until(() => sandbox.ForgeLogs().SelectMany(ForgeLogChecker.Read)
                .Any(l => l.Slot is not null && l.At > after && l.Node.StartsWith(cluster + "/", StringComparison.Ordinal)),
            MoveLimit, $"a slot forged by {cluster} after {after:HH:mm:ss.fff}");

    /// <summary>The sandbox's normal state: three clusters, Priority-based, no override, health checks on, us-east-1-prod
    /// forging. The first time, its specs are kept for <see cref="PutBack"/>.</summary>
    private void AwaitNormal()
    {
        AwaitClusters("normal state: three Priority-based clusters without override, us-east-1-prod forging", c =>
            c.Count == 3 && Names.All(c.ContainsKey)
            && c.Values.All(o => Str(o, "spec.forgeState") == "Priority-based" && Bool(o, "spec.override.enabled") != true
                                 && Bool(o, "spec.healthCheck.enabled") == true && Bool(o, "status.healthStatus.healthy") == true)
            && Leader(c[East]) != "" && Leader(c[West]) == "" && Leader(c[Eu]) == "");
        if (!OriginalSpecs.IsEmpty) return;
        foreach (var (name, o) in Clusters())
        {
            var spec = o["spec"]!.DeepClone().AsObject();
            spec["override"] = null; // a merge patch with null removes it
            OriginalSpecs[name] = spec;
        }
        var east = Cluster(East);
        _eastAsCreated = new JsonObject
        {
            ["apiVersion"] = east["apiVersion"]!.DeepClone(),
            ["kind"] = east["kind"]!.DeepClone(),
            ["metadata"] = new JsonObject { ["name"] = East, ["labels"] = east["metadata"]!["labels"]?.DeepClone() },
            ["spec"] = OriginalSpecs[East].DeepClone(),
        };
        _eastAsCreated["spec"]!.AsObject().Remove("override");
    }

    private void CreateEastAgain()
    {
        var file = Path.Combine(sandbox.Root, "us-east-1-prod.json");
        File.WriteAllText(file, _eastAsCreated!.ToJsonString());
        var r = Kubectl("create", "-f", file);
        Assert.True(r.Code == 0, r.Err);
    }

    /// <summary>Runs a guide scenario from the normal state and puts the sandbox back afterwards, pass or fail.</summary>
    private void InScenario(Action scenario)
    {
        AwaitNormal();
        try
        {
            scenario();
        }
        catch
        {
            Log($"processes the sandbox restarted:\n{sandbox.Restarts()}");
            Log($"what the projections logged:\n{sandbox.ProjectionLogLines()}");
            throw;
        }
        finally
        {
            PutBack();
        }
    }

    /// <summary>Undoes a scenario: every cluster's spec as it was, us-east-1-prod created again if it is gone.</summary>
    private void PutBack()
    {
        try
        {
            var present = Clusters();
            if (!present.ContainsKey(East)) CreateEastAgain();
            foreach (var (name, spec) in OriginalSpecs)
                Kubectl("patch", "cardanoforgecluster", name, "--type=merge", "-p", new JsonObject { ["spec"] = spec.DeepClone() }.ToJsonString());
            AwaitNormal();
        }
        catch (Exception e) when (e is TimeoutException or InvalidOperationException or IOException)
        {
            Log($"could not put the sandbox back ({e.Message}); the next test's start check says what is wrong");
        }
    }

    private static string[] Cells(IReadOnlyDictionary<string, string> row, params string[] columns) => columns.Select(c => row[c]).ToArray();

    private static JsonNode? At(JsonNode? o, string path) => path.Split('.').Aggregate(o, (n, key) => n?[key]);

    private static string? Str(JsonNode? o, string path) => At(o, path) is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;

    private static bool? Bool(JsonNode? o, string path) => At(o, path) is JsonValue v && v.TryGetValue<bool>(out var b) ? b : null;

    private static string? Condition(JsonObject o, string type) =>
        (At(o, "status.conditions") as JsonArray ?? []).OfType<JsonObject>().FirstOrDefault(c => Str(c, "type") == type) is { } c ? Str(c, "status") : null;
}

/// <summary>The guide parser on the guide itself (no sandbox): commands whole, prompts stripped, script variables kept.</summary>
public sealed class GuideCommandParsingTests
{
    private static IReadOnlyList<GuideCommand> Parse() =>
        OperationsGuide.Commands(File.ReadAllText(OperationsGuide.Locate(Binaries.RepositoryRoot(AppContext.BaseDirectory)!)));

    [Fact]
    public void Multi_line_patches_are_whole_and_carry_their_scripts_variables()
    {
        var maintenance = Assert.Single(Parse(), c => c.Text.Contains("Scheduled maintenance", StringComparison.Ordinal));
        Assert.StartsWith("kubectl patch cardanoforgeCluster $PRIMARY_CLUSTER --type='merge' -p='{", maintenance.Text, StringComparison.Ordinal);
        Assert.EndsWith("}'", maintenance.Text, StringComparison.Ordinal);
        Assert.Contains("\"expiresAt\": \"'$(date -d \"+4 hours\" --iso-8601=seconds)'\"", maintenance.Text, StringComparison.Ordinal);
        Assert.Equal(["PRIMARY_CLUSTER=\"us-east-1-prod\"", "SECONDARY_CLUSTER=\"us-west-2-prod\""], maintenance.Variables);

        var emergency = Assert.Single(Parse(), c => c.Text.Contains("Emergency failover - primary cluster failure", StringComparison.Ordinal));
        Assert.EndsWith("|| echo \"WARNING: Failed to update failed cluster (expected if cluster is down)\"", emergency.Text, StringComparison.Ordinal);
    }

    [Fact]
    public void Prompts_and_comments_are_not_part_of_commands_and_every_command_is_valid_bash()
    {
        var commands = Parse();
        Assert.Contains(commands, c => c.Text == "kubectl get cardanoforgeclusters");
        Assert.DoesNotContain(commands, c => c.Text.StartsWith('$') || c.Text.StartsWith('#'));
        var onClusters = commands.Where(c => c.OnForgeClusters).ToList();
        Assert.True(onClusters.Count >= 20, $"{onClusters.Count} commands on CardanoForgeClusters");
        foreach (var c in onClusters)
        {
            var syntax = Run.Program("bash", ["-n", "-c", c.Text]);
            Assert.True(syntax.Code == 0, $"guide line {c.Line}: {syntax.Err}\n{c.Text}");
        }
    }
}
