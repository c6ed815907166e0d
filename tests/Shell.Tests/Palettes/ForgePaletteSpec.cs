using Forge.Decider;
using Forge.Shell.Palettes.Agent;
using Forge.Shell.Palettes.Forge;
using Forge.Shell.Tests.Fakes;
using Xunit;

namespace Forge.Shell.Tests.Palettes;

/// <summary>The forge and agent palettes through the real host and client, against <see cref="FakeForge"/> (the
/// real decider behind the arbiter's query and spec interfaces; see its remarks).</summary>
public sealed class ForgePaletteSpec : IAsyncDisposable
{
    private readonly FakeForge _forge = new();
    private readonly ShellUnderTest _shell;

    public ForgePaletteSpec() =>
        _shell = ShellUnderTest.Start([ForgePalette.Create(_forge, _forge), AgentPalette.Create(_forge)], ShellUnderTest.Settings(changeTimeout: TimeSpan.FromSeconds(3)));

    public ValueTask DisposeAsync() => _shell.DisposeAsync();

    [Fact]
    public async Task Clusters_prints_the_guides_table()
    {
        var r = await _shell.Run("forge", "clusters");
        Assert.Equal(0, r.Code);
        Assert.Equal(
        [
            "NAME             STATE            PRIORITY   REGION      ACTIVE LEADER   HEALTHY   AGE",
            "us-east-1-prod   Priority-based   1          us-east-1   cardano-bp-0    true      2d",
            "us-west-2-prod   Priority-based   2          us-west-2                   true      2d",
            "eu-west-1-prod   Priority-based   3          eu-west-1                   true      2d",
        ], r.Lines);
    }

    [Fact]
    public async Task Status_shows_per_pool_the_forger_its_term_and_the_time_since_the_last_transition()
    {
        var r = await _shell.Run("forge", "status");
        Assert.Equal(0, r.Code);
        Assert.Equal(2, r.Lines.Length);
        Assert.Matches(@"^POOL\s+FORGING CLUSTER\s+NODE\s+TERM\s+SINCE\s+LAST TRANSITION$", r.Lines[0]);
        Assert.Matches(@"^pool1\s+us-east-1-prod\s+cardano-bp-0\s+1@arbiter-a\s+\d+s\s+no forger$", r.Lines[1]);
    }

    [Fact]
    public async Task Failover_hands_over_and_history_shows_it()
    {
        var r = await _shell.Run("forge", "failover", "--to", "us-west-2-prod", "--reason", "planned maintenance", "--expires", "4h");
        Assert.True(r.Code == 0, r.ToString());
        Assert.Contains(r.Lines, l => l.StartsWith("us-west-2-prod: override set (forceState Enabled, reason 'planned maintenance', expires 20", StringComparison.Ordinal));
        Assert.Matches(@"^us-west-2-prod/cardano-bp-0 is forging \(term 2@arbiter-a\); handed over from us-east-1-prod/cardano-bp-0 in \d+\.\ds$", r.Lines[^1]);

        // the same fields an operator would patch, as a kubectl merge patch
        var patch = Assert.Single(_forge.Patches);
        Assert.Matches("""^\{"spec":\{"override":\{"enabled":true,"forceState":"Enabled","reason":"planned maintenance","expiresAt":"20\d\d-\d\d-\d\dT\d\d:\d\d:\d\dZ"\}\}\}$""",
            patch.ToMergePatchJson());

        var history = await _shell.Run("forge", "history");
        Assert.Equal(0, history.Code);
        Assert.Matches(@"^TIME\s+POOL\s+FROM\s+TO\s+TERM\s+REASON$", history.Lines[0]);
        Assert.Matches(@"^\S+Z\s+pool1\s+us-east-1-prod/cardano-bp-0\s+us-west-2-prod/cardano-bp-0\s+2@arbiter-a\s+spec change: us-west-2-prod outranks us-east-1-prod$", history.Lines[1]);
        Assert.Matches(@"^\S+Z\s+pool1\s+\(none\)\s+us-east-1-prod/cardano-bp-0\s+1@arbiter-a\s+no forger$", history.Lines[2]);
        Assert.Equal(2, (await _shell.Run("forge", "history", "--limit", "1")).Lines.Length);

        var clusters = await _shell.Run("forge", "clusters");
        Assert.Matches(@"^us-west-2-prod\s+Enabled\s+2\s+us-west-2\s+cardano-bp-0\s+true", clusters.Lines[2]);
    }

    [Fact]
    public async Task Failover_refuses_explaining_when_another_cluster_is_already_forced_Enabled()
    {
        _forge.SetSpec("eu-west-1-prod", s => s with { Override = new OverrideSpec(true, "dr drill", ForceState: ForgeStates.EnabledText) });
        var r = await _shell.Run("forge", "failover", "--to", "us-west-2-prod", "--reason", "x");
        Assert.Equal(1, r.Code);
        Assert.Contains("error: refused: eu-west-1-prod is already forced Enabled (override reason 'dr drill', no expiry). " +
                        "Run 'forge restore eu-west-1-prod' first, then fail over to us-west-2-prod.", r.Err);
        Assert.Empty(_forge.Patches);
    }

    [Fact]
    public async Task Restore_ends_the_override_as_an_expiry_does_and_priority_decides_again()
    {
        Assert.Equal(0, (await _shell.Run("forge", "disable", "us-east-1-prod", "--reason", "maintenance")).Code);
        _forge.SetSpec("us-east-1-prod", s => s with { ForgeState = ForgeStates.DisabledText }); // the guide's patch also sets forgeState

        var r = await _shell.Run("forge", "restore", "us-east-1-prod");
        Assert.True(r.Code == 0, r.ToString());
        Assert.Equal(
        [
            "us-east-1-prod: override ended, forgeState set to Priority-based; waiting for the arbiter",
            "us-east-1-prod is back to Priority-based (priority 1)",
            "us-east-1-prod/cardano-bp-0 is forging (term 3@arbiter-a)",
        ], r.Lines);
        Assert.Equal("""{"spec":{"override":{"enabled":false},"forgeState":"Priority-based"}}""", _forge.Patches[^1].ToMergePatchJson());

        var again = await _shell.Run("forge", "restore", "us-east-1-prod");
        Assert.Equal(0, again.Code);
        Assert.Equal(["us-east-1-prod has no override; nothing to restore"], again.Lines);
    }

    [Fact]
    public async Task Disable_reports_where_forging_went()
    {
        var r = await _shell.Run("forge", "disable", "us-east-1-prod", "--reason", "maintenance");
        Assert.True(r.Code == 0, r.ToString());
        Assert.Equal(
        [
            "us-east-1-prod: override set (forceState Disabled, reason 'maintenance'); waiting for the arbiter",
            "us-east-1-prod is disabled",
            "us-west-2-prod/cardano-bp-0 is forging (term 2@arbiter-a); moved from us-east-1-prod/cardano-bp-0",
        ], r.Lines);
        Assert.Equal("""{"spec":{"override":{"enabled":true,"forceState":"Disabled","reason":"maintenance","expiresAt":null}}}""",
            _forge.Patches[^1].ToMergePatchJson());
    }

    [Fact]
    public async Task A_change_that_does_not_take_effect_times_out_with_a_clear_message()
    {
        _forge.Stuck = true;
        var r = await _shell.Run("forge", "failover", "--to", "eu-west-1-prod", "--reason", "x");
        Assert.Equal(1, r.Code);
        Assert.Contains("error: timed out after 3s: eu-west-1-prod is not forging. Forging now: us-east-1-prod/cardano-bp-0 " +
                        "(handing over to eu-west-1-prod/cardano-bp-0).", r.Err);
        Assert.Contains("The patch stays in place", r.Err);
    }

    [Theory]
    [InlineData(new[] { "forge", "failover", "--to", "mars-prod", "--reason", "x" }, 1, "no CardanoForgeCluster named 'mars-prod' is known to the arbiter; clusters: eu-west-1-prod, us-east-1-prod, us-west-2-prod")]
    [InlineData(new[] { "forge", "failover", "--to", "us-west-2-prod" }, 2, "missing switch --reason <text>")]
    [InlineData(new[] { "forge", "failover", "--to", "us-west-2-prod", "--reason", "x", "--expires", "soon" }, 2, "--expires 'soon'")]
    [InlineData(new[] { "forge", "disable", "us-west-2-prod", "--reason", " " }, 2, "--reason must not be empty")]
    [InlineData(new[] { "forge", "history", "--limit", "many" }, 2, "--limit 'many' must be a number")]
    [InlineData(new[] { "agent", "show", "cardano-bp-0" }, 2, "node identity 'cardano-bp-0' must be '<cluster>/<pod>'")]
    [InlineData(new[] { "agent", "show", "us-east-1-prod/cardano-bp-9" }, 1, "no agent us-east-1-prod/cardano-bp-9 is known")]
    public async Task Bad_arguments_get_a_message_never_a_stack_trace(string[] words, int code, string message)
    {
        var r = await _shell.Run(words);
        Assert.Equal(code, r.Code);
        Assert.Contains(message, r.Err);
        if (code == 2) Assert.Contains("usage: ", r.Err);
        Assert.DoesNotContain("   at ", r.Err);
        Assert.Empty(_forge.Patches);
    }

    [Fact]
    public async Task Grants_and_agents()
    {
        var grants = await _shell.Run("forge", "grants");
        Assert.Equal(0, grants.Code);
        Assert.Matches(@"^POOL\s+TERM\s+HOLDER\s+PHASE\s+TTL\s+LIVE\s+LEFT\s+REGIONS$", grants.Lines[0]);
        Assert.Matches(@"^pool1\s+1@arbiter-a\s+us-east-1-prod/cardano-bp-0\s+idle\s+5\.0s\s+yes\s+4\.6s\s+eu-west-1,us-east-1 \(2/3\)$", grants.Lines[1]);
        Assert.Equal(
        [
            "pool1 eu-west-1: term 1@arbiter-a us-east-1-prod/cardano-bp-0 (TTL 5.0s), live, renewed 0.4s ago, 4.6s left",
            "pool1 us-east-1: term 1@arbiter-a us-east-1-prod/cardano-bp-0 (TTL 5.0s), live, renewed 0.3s ago, 4.7s left",
            "pool1 us-west-2: no answer within 2.0s",
        ], grants.Lines[2..]);

        var list = await _shell.Run("agent", "list");
        Assert.Equal(4, list.Lines.Length);
        Assert.Matches(@"^NODE\s+POOL\s+CONNECTED\s+SYNCED\s+TIP\s+FORGING\s+TERM\s+KES LEFT$", list.Lines[0]);
        Assert.Matches(@"^us-east-1-prod/cardano-bp-0\s+pool1\s+yes\s+yes\s+1000\s+forging\s+1@arbiter-a\s+42$", list.Lines[2]);

        var show = await _shell.Run("agent", "show", "us-east-1-prod/cardano-bp-0");
        Assert.Equal(0, show.Code);
        Assert.Equal("Node:             us-east-1-prod/cardano-bp-0", show.Lines[0]);
        Assert.Contains("Forging:          forging (verified), term 1@arbiter-a", show.Lines);
        Assert.Contains(show.Lines, l => System.Text.RegularExpressions.Regex.IsMatch(l, @"^Last SIGHUP:      enabled \(verified\) at 20\S+Z \(3m(0s|1s)? ago\)$"));
        Assert.Contains("KES periods left: 42", show.Lines);
    }

    [Fact]
    public async Task Without_an_arbiter_view_the_commands_say_so()
    {
        await using var bare = ShellUnderTest.Start([ForgePalette.Create(null, null), AgentPalette.Create(null)]);
        var r = await bare.Run("forge", "status");
        Assert.Equal(1, r.Code);
        Assert.Contains("not available on this coordinator: no IForgeQueries is wired into its shell host", r.Err);
        await using var readOnly = ShellUnderTest.Start([ForgePalette.Create(_forge, null)]);
        var w = await readOnly.Run("forge", "disable", "x", "--reason", "y");
        Assert.Contains("no IForgeSpecWriter", w.Err);
    }
}
