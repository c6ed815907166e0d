using System.Collections.Concurrent;
using System.Globalization;
using System.Text.RegularExpressions;
using Forge.Kubernetes.Tests.Support;

namespace Forge.Sandbox.Tests;

/// <summary>
/// The operator shell against the running sandbox: the real one-shot client (<c>forge-coordinator shell HOST:PORT
/// words...</c>, as an operator runs it) talking to the three coordinator processes, whose grant replicas, arbiter,
/// agents and stand-ins are the real ones. Each command's output is checked against kubectl and the forge logs (the
/// ground truth). Like the guide's tests, each state-changing test starts from the normal state and puts it back
/// (<see cref="InScenario"/>); the class runs in name order in the sandbox collection, so nothing else changes the
/// sandbox meanwhile. T29 fails when a palette command the hosts offer was neither run here nor listed as not run.
/// </summary>
public sealed partial class SandboxProcessTests
{
    private static readonly TimeSpan ShellLimit = TimeSpan.FromSeconds(120); // above forge.shell.change-timeout (60 s)

    /// <summary>Palette commands not run against the shared sandbox, with why.</summary>
    private static readonly IReadOnlyDictionary<string, string> ShellNotRun = new Dictionary<string, string>
    {
        ["cluster tail"] = "streams until Ctrl-C; covered by tests/Shell.Tests on in-process clusters",
        ["cluster leave"] = "would take a coordinator (and its region's grant replica) out of the shared sandbox; tests/Shell.Tests",
        ["cluster down"] = "would take a coordinator (and its region's grant replica) out of the shared sandbox; tests/Shell.Tests",
        ["cluster down-unreachable"] = "downs any coordinator a loaded machine makes briefly unreachable; tests/Shell.Tests",
    };

    private static readonly ConcurrentDictionary<string, int> ShellRan = new(StringComparer.Ordinal);
    private static readonly Regex ReplicaLine = new(@"^(?<pool>\S+) (?<region>[a-z]+-[a-z]+-\d+): (?<what>.*)$");

    [Fact]
    public void T20_shell_reads_show_what_kubectl_and_the_forge_logs_show()
    {
        AwaitNormal();
        var m = sandbox.Manifest();

        // cluster show / leader / status, from a coordinator that is not the first seed.
        var show = Lines(ShellOk(1, "cluster", "show"));
        Assert.Equal("Count: 3 nodes", show[^1]);
        var members = show[..^1].Select(l => Regex.Match(l,
            @"^(?<address>akka\.ssl\.tcp://\S+) \| roles: (?<roles>\S+) \| region: (?<region>\S+) \| status: Up \| reachable$")).ToList();
        Assert.All(members, x => Assert.True(x.Success, string.Join('\n', show)));
        Assert.Equal(m.Regions.Select(r => r.Region).Order(StringComparer.Ordinal), members.Select(x => x.Groups["region"].Value).Order(StringComparer.Ordinal));
        Assert.All(members, x => Assert.Contains($"region:{x.Groups["region"].Value}", x.Groups["roles"].Value.Split(','), StringComparer.Ordinal));
        var addresses = members.Select(x => x.Groups["address"].Value).ToList();
        var leader = Assert.Single(Lines(ShellOk(1, "cluster", "leader")));
        Assert.Contains(leader, addresses);
        var status = Lines(ShellOk(1, "cluster", "status"));
        var self = members.Single(x => x.Groups["region"].Value == m.Regions[1].Region).Groups["address"].Value;
        Assert.Matches($@"^Self:\s+{Regex.Escape(self)} \(Up, region {m.Regions[1].Region}, roles \S+\)$", status[0]);
        Assert.Matches($@"^Leader:\s+{Regex.Escape(leader)}$", status[1]);
        Assert.Matches(@"^Members:\s+3 \(Up 3\)$", status[2]);
        Assert.Matches(@"^Unreachable:\s+0$", status[3]);

        // forge clusters: the guide's table, as kubectl prints it.
        var clusters = PrintedTable.Parse(ShellOk(0, "forge", "clusters"));
        var wide = PrintedTable.Parse(Kubectl("get", "cardanoforgeclusters", "-o", "wide").Out);
        Assert.Equal(wide.Headers, clusters.Headers);
        Assert.Equal(Names, clusters.Rows.Select(r => r["NAME"]));
        foreach (var name in Names)
            Assert.Equal(Cells(wide.Row(name), "STATE", "PRIORITY", "REGION", "ACTIVE LEADER", "HEALTHY"),
                Cells(clusters.Row(name), "STATE", "PRIORITY", "REGION", "ACTIVE LEADER", "HEALTHY"));

        // forge status: the forger is the node the forge logs show forging.
        var since = DateTimeOffset.UtcNow;
        var statusTable = PrintedTable.Parse(ShellOk(2, "forge", "status"));
        Assert.Equal(["POOL", "FORGING CLUSTER", "NODE", "TERM", "SINCE", "LAST TRANSITION"], statusTable.Headers);
        var pool = Assert.Single(statusTable.Rows);
        var forger = $"{pool["FORGING CLUSTER"]}/{pool["NODE"]}";
        Assert.Equal($"{East}/{Leader(East)}", forger);
        Assert.Matches(@"^\d+@\S+$", pool["TERM"]);
        Assert.Matches(@"^\d+[smhd]", pool["SINCE"]);
        AwaitOnlyForger(forger, since);

        // forge history: the grant that made the forger, in its term.
        var history = PrintedTable.Parse(ShellOk(0, "forge", "history", "--limit", "50"));
        Assert.Equal(["TIME", "POOL", "FROM", "TO", "TERM", "REASON"], history.Headers);
        Assert.InRange(history.Rows.Count, 1, 50);
        Assert.Contains(history.Rows, r => r["TO"] == forger && r["TERM"] == pool["TERM"] && r["POOL"] == pool["POOL"]
                                           && r["REASON"].StartsWith("granted: ", StringComparison.Ordinal));
        // forge status names the reason of the last move (its SINCE), as forge history records it
        var lastMove = history.Rows.First(r => Regex.IsMatch(r["REASON"], "^(granted|target): "));
        Assert.Equal(lastMove["REASON"][(lastMove["REASON"].IndexOf(": ", StringComparison.Ordinal) + 2)..], pool["LAST TRANSITION"]);
        var times = history.Rows.Select(r => DateTimeOffset.Parse(r["TIME"], CultureInfo.InvariantCulture)).ToList();
        Assert.Equal(times.OrderDescending(), times); // newest first

        // agent list / show: every pod of the sandbox, only the forger verified forging.
        var agents = PrintedTable.Parse(ShellOk(0, "agent", "list"));
        Assert.Equal(["NODE", "POOL", "CONNECTED", "SYNCED", "TIP", "FORGING", "TERM", "KES LEFT"], agents.Headers);
        Assert.Equal(m.Regions.SelectMany(r => r.Nodes).Select(n => n.Id).Order(StringComparer.Ordinal),
            agents.Rows.Select(r => r["NODE"]).Order(StringComparer.Ordinal));
        var forging = Assert.Single(agents.Rows, r => r["FORGING"] == "forging");
        Assert.Equal((forger, "yes", "yes", pool["TERM"]), (forging["NODE"], forging["CONNECTED"], forging["SYNCED"], forging["TERM"]));
        Assert.All(agents.Rows, r => Assert.Equal(pool["POOL"], r["POOL"]));
        Assert.Matches(@"^\d+$", forging["KES LEFT"]);
        var agent = Lines(ShellOk(0, "agent", "show", forger));
        Assert.Equal($"Node:             {forger}", agent[0]);
        Assert.Matches(@"^Connected:\s+yes", agent[2]);
        Assert.Matches($@"^Forging:\s+forging \(verified\), term {Regex.Escape(pool["TERM"])}$", agent[4]);
        Assert.Matches(@"^Last SIGHUP:\s+verified at \d{4}-\d\d-\d\dT\S+Z \(\S+ ago\)$", agent[5]);
        Assert.Matches($@"^KES periods left: {forging["KES LEFT"]}$", agent[6]);

        // A bad argument gets the usage, never a stack trace.
        foreach (var words in new string[][] { ["agent", "show", "not-a-node"], ["forge", "failover", "--to", West] }) // a bad value, a missing switch
        {
            var bad = Shell(0, words);
            Assert.Equal(2, bad.Code);
            Assert.Contains($"usage: {words[0]} {words[1]}", bad.Err, StringComparison.Ordinal);
            Assert.DoesNotContain("   at ", bad.Err, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void T21_shell_forge_grants_reads_the_three_replicas_and_names_the_forger()
    {
        AwaitNormal();
        var m = sandbox.Manifest();
        var forger = $"{East}/{Leader(East)}";
        var regions = m.Regions.Select(r => r.Region).ToList();
        for (var i = 0; i < m.Regions.Count; i++) // every coordinator reads every region's replica, two of them in other processes
        {
            var since = DateTimeOffset.UtcNow;
            var grants = Grants(i);
            Assert.Equal((forger, "idle", "yes"), (grants.Row["HOLDER"], grants.Row["PHASE"], grants.Row["LIVE"]));
            Assert.Matches(@"^\d+@\S+$", grants.Row["TERM"]);
            var ttl = Seconds(grants.Row["TTL"]);
            var left = Seconds(grants.Row["LEFT"]);
            Assert.InRange(ttl, 1, 30); // forge.grants ttl within its max-ttl
            Assert.InRange(left, 0.0001, ttl);
            var held = Regex.Match(grants.Row["REGIONS"], @"^(?<regions>\S+) \((?<n>\d)/(?<of>\d)\)$");
            Assert.True(held.Success, grants.Row["REGIONS"]);
            var holding = held.Groups["regions"].Value.Split(',');
            Assert.Equal(3, int.Parse(held.Groups["of"].Value, CultureInfo.InvariantCulture));
            Assert.Equal(holding.Length, int.Parse(held.Groups["n"].Value, CultureInfo.InvariantCulture));
            Assert.True(holding.Length >= 2, $"held by a majority: {grants.Row["REGIONS"]}");
            Assert.Subset(regions.ToHashSet(), holding.ToHashSet());

            // One line per configured region, each its own replica's answer.
            Assert.Equal(regions.Order(StringComparer.Ordinal), grants.Replicas.Keys.Order(StringComparer.Ordinal));
            var live = grants.Replicas.Where(r => Regex.IsMatch(r.Value,
                $@"^term {Regex.Escape(grants.Row["TERM"])} {Regex.Escape(forger)} \(TTL {Regex.Escape(grants.Row["TTL"])}\), live, renewed \d+\.\ds ago, \d+\.\ds left$")).ToList();
            Assert.True(live.Count >= 2, "a majority of replicas hold the term live:\n" + string.Join('\n', grants.Replicas.Values));
            Assert.All(live, r => Assert.Contains(r.Key, holding));
            Assert.All(live, r => Assert.InRange(Seconds(Regex.Match(r.Value, @"(\d+\.\d)s left$").Groups[1].Value + "s"), 0, ttl));

            AwaitOnlyForger(forger, since);
        }
    }

    [Fact]
    public void T22_shell_failover_hands_over_on_the_real_quorum_refuses_a_second_and_restore_brings_forging_back()
    {
        InScenario(() =>
        {
            var east = $"{East}/{Leader(East)}";
            const string reason = "shell test: maintenance of us-east-1";

            // failover, through the us-west-2 coordinator (its region's API; the arbiter runs where it runs)
            var failoverAt = DateTimeOffset.UtcNow;
            var failover = Lines(ShellOk(1, "forge", "failover", "--to", West, "--reason", reason, "--expires", "1h"));
            var done = Regex.Match(failover[^1], $@"^(?<node>{West}/cardano-bp-\d) is forging \(term (?<term>\d+@\S+)\); handed over from {Regex.Escape(east)} in \d+\.\ds$");
            Assert.True(done.Success, string.Join('\n', failover));
            var west = done.Groups["node"].Value;
            var term = done.Groups["term"].Value;
            Assert.Matches($@"^{West}: override set \(forceState Enabled, reason '{reason}', expires \S+Z\); waiting for {West} to forge$", failover[0]);

            // Reported once it happened: the forge logs already show east off, then west on.
            var logs = sandbox.ForgeLogs().SelectMany(ForgeLogChecker.Read).ToList();
            var on = Assert.Single(logs, l => l.Node == west && l.Event == "on" && l.At > failoverAt);
            Assert.Contains(logs, l => l.Node == east && l.Event == "off" && l.At > failoverAt && l.Mono < on.Mono);

            // The CR carries the override in every region's API; kubectl shows west forging.
            AwaitEveryRegion($"{West} forced Enabled with the shell's reason", c => Bool(c[West], "spec.override.enabled") == true
                && Str(c[West], "spec.override.forceState") == "Enabled" && Str(c[West], "spec.override.reason") == reason);
            var expires = DateTimeOffset.Parse(Str(Cluster(West), "spec.override.expiresAt")!, CultureInfo.InvariantCulture);
            Assert.InRange(expires - failoverAt, TimeSpan.FromMinutes(59), TimeSpan.FromMinutes(61));
            AwaitClusters($"{West} shows {west} as its leader", c => $"{West}/{Leader(c[West])}" == west && Leader(c[East]) == "");
            AwaitForgedBy(West, failoverAt);
            AwaitOnlyForger(west, DateTimeOffset.UtcNow);

            // history and grants show the handover
            var history = PrintedTable.Parse(ShellOk(2, "forge", "history", "--limit", "10"));
            Assert.Contains(history.Rows, r => (r["FROM"], r["TO"], r["TERM"]) == (east, west, term) && r["REASON"].StartsWith("granted: ", StringComparison.Ordinal));
            var grants = Grants(2);
            Assert.Equal((west, term, "yes"), (grants.Row["HOLDER"], grants.Row["TERM"], grants.Row["LIVE"]));

            // A second cluster forced Enabled is refused, with the reason, and nothing is written.
            var euBefore = sandbox.Manifest().Regions.ToDictionary(r => r.Context, r => Clusters(r.Context)[Eu]);
            var refused = Shell(2, "forge", "failover", "--to", Eu, "--reason", "a second forced cluster");
            Assert.Equal(1, refused.Code);
            Assert.Contains($"refused: {West} is already forced Enabled (override reason '{reason}', expires ", refused.Err, StringComparison.Ordinal);
            Assert.Contains($"Run 'forge restore {West}' first", refused.Err, StringComparison.Ordinal);
            foreach (var (context, before) in euBefore) // no region's API has a change of eu-west-1-prod
            {
                var eu = Clusters(context)[Eu];
                Assert.Equal((before["spec"]!.ToJsonString(), At(before, "metadata.generation")!.ToJsonString()),
                    (eu["spec"]!.ToJsonString(), At(eu, "metadata.generation")!.ToJsonString()));
            }

            // restore, through the us-east-1 coordinator: the override ends and forging returns by priority.
            var restoredAt = DateTimeOffset.UtcNow;
            var restore = Lines(ShellOk(0, "forge", "restore", West));
            Assert.Equal($"{West}: override ended; waiting for the arbiter", restore[0]);
            Assert.Equal($"{West} is back to Priority-based (priority 2)", restore[^2]);
            var back = Regex.Match(restore[^1], $@"^(?<node>{East}/cardano-bp-\d) is forging \(term \d+@\S+\)$");
            Assert.True(back.Success, string.Join('\n', restore));
            Assert.Contains(sandbox.ForgeLogs().SelectMany(ForgeLogChecker.Read), l => l.Node == back.Groups["node"].Value && l.Event == "on" && l.At > restoredAt);
            AwaitEveryRegion($"{West}'s override ended", c => Bool(c[West], "spec.override.enabled") == false);
            AwaitForgedBy(East, restoredAt);
            AwaitOnlyForger(back.Groups["node"].Value, DateTimeOffset.UtcNow);

            var violations = ForgeLogChecker.Violations(sandbox.ForgeLogs());
            Assert.True(violations.Count == 0, string.Join('\n', violations));
        });
    }

    [Fact]
    public void T23_shell_disable_of_a_standby_keeps_the_forger_and_restore_undoes_it()
    {
        InScenario(() =>
        {
            var east = $"{East}/{Leader(East)}";
            var at = DateTimeOffset.UtcNow;
            var disable = Lines(ShellOk(2, "forge", "disable", Eu, "--reason", "shell test: eu-west-1 maintenance"));
            Assert.Equal($"{Eu} is disabled", disable[^2]);
            var kept = Regex.Match(disable[^1], $@"^{Regex.Escape(east)} keeps forging \(term (?<term>\d+@\S+)\)$");
            Assert.True(kept.Success, disable[^1]);
            AwaitEveryRegion($"{Eu} forced Disabled", c => Str(c[Eu], "spec.override.forceState") == "Disabled"
                && Str(c[Eu], "status.effectiveState") == "Disabled" && Leader(c[East]) != "");

            var restore = Lines(ShellOk(2, "forge", "restore", Eu));
            Assert.Equal([$"{Eu} is back to Priority-based (priority 3)", $"{east} is forging (term {kept.Groups["term"].Value})"], restore[^2..]);
            AwaitEveryRegion($"{Eu}'s override ended", c => Bool(c[Eu], "spec.override.enabled") == false);
            AwaitOnlyForger(east, at);
        });
    }

    [Fact]
    public void T29_every_shell_command_ran_against_the_sandbox_or_is_listed_with_why_not()
    {
        // The palettes are learned from the host on connect.
        var palettes = Palettes(ShellOk(0, "help"));
        Assert.Equal(["agent", "cluster", "forge"], palettes.Keys.Order(StringComparer.Ordinal));
        var offered = palettes.SelectMany(p => p.Value.Select(c => $"{p.Key} {c}")).ToList();
        Log($"{offered.Count} palette commands; run against the sandbox: {ShellRan.Count}; not run: {ShellNotRun.Count}");
        var missed = offered.Where(c => !ShellRan.ContainsKey(c) && !ShellNotRun.ContainsKey(c)).ToList();
        Assert.True(missed.Count == 0, "palette commands neither run against the sandbox nor listed: " + string.Join(", ", missed));
        Assert.Empty(ShellNotRun.Keys.Except(offered));
    }

    // ---- the shell as an operator runs it ----

    /// <summary>Runs <c>forge-coordinator shell HOST:PORT words...</c> against region <paramref name="region"/>'s first
    /// coordinator.</summary>
    private (int Code, string Out, string Err) Shell(int region, params string[] words)
    {
        var host = sandbox.Manifest().Regions[region].Coordinators[0].Shell;
        if (words.Length >= 2) ShellRan.AddOrUpdate($"{words[0]} {words[1]}", 1, (_, n) => n + 1);
        var result = Run.Program(sandbox.Exe, ["shell", host, .. words], null, ShellLimit);
        Log($"{DateTime.UtcNow:HH:mm:ss.f} $ forge-coordinator shell {host} {string.Join(' ', words)}    # exit {result.Code}\n{result.Out}{result.Err}");
        return result;
    }

    private string ShellOk(int region, params string[] words)
    {
        var r = Shell(region, words);
        Assert.True(r.Code == 0, $"exit {r.Code}: {r.Err}");
        Assert.Equal("", r.Err);
        return r.Out;
    }

    private static string[] Lines(string output) => output.Split('\n', StringSplitOptions.RemoveEmptyEntries);

    /// <summary>The palettes and their commands from <c>help</c> (learned from the host on connect).</summary>
    private static Dictionary<string, string[]> Palettes(string help) =>
        Lines(help).Select(l => Regex.Match(l, @"^  (?<palette>\S+)\s+.*: (?<commands>[a-z-]+(, [a-z-]+)*)$")).Where(x => x.Success)
            .ToDictionary(x => x.Groups["palette"].Value, x => x.Groups["commands"].Value.Split(", "), StringComparer.Ordinal);

    /// <summary><c>forge grants</c>: the sandbox's one pool's row and each region's replica line.</summary>
    private (IReadOnlyDictionary<string, string> Row, Dictionary<string, string> Replicas) Grants(int region)
    {
        var lines = Lines(ShellOk(region, "forge", "grants"));
        var replicas = lines.Select(l => ReplicaLine.Match(l)).Where(x => x.Success).ToList();
        var table = PrintedTable.Parse(string.Join('\n', lines.Where(l => !ReplicaLine.IsMatch(l))));
        Assert.Equal(["POOL", "TERM", "HOLDER", "PHASE", "TTL", "LIVE", "LEFT", "REGIONS"], table.Headers);
        var row = Assert.Single(table.Rows);
        Assert.All(replicas, x => Assert.Equal(row["POOL"], x.Groups["pool"].Value));
        return (row, replicas.ToDictionary(x => x.Groups["region"].Value, x => x.Groups["what"].Value, StringComparer.Ordinal));
    }

    private static double Seconds(string text)
    {
        Assert.Matches(@"^\d+\.\ds$", text);
        return double.Parse(text[..^1], CultureInfo.InvariantCulture);
    }

    /// <summary>The ground truth: <paramref name="node"/> forges a slot after <paramref name="after"/>, and no other node
    /// forged one since then.</summary>
    private void AwaitOnlyForger(string node, DateTimeOffset after)
    {
        Poll.Until(() => sandbox.ForgeLogs().SelectMany(ForgeLogChecker.Read).Any(l => l.Slot is not null && l.At > after && l.Node == node),
            MoveLimit, $"a slot forged by {node} after {after:HH:mm:ss.fff}");
        var others = sandbox.ForgeLogs().SelectMany(ForgeLogChecker.Read).Where(l => l.Slot is not null && l.At > after && l.Node != node).ToList();
        Assert.True(others.Count == 0, $"forged by others than {node} since {after:HH:mm:ss.fff}: " +
                                       string.Join(", ", others.Select(l => $"{l.Slot} by {l.Node}")));
    }
}
