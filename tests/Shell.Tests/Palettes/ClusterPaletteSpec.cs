using Forge.Shell.Client;
using Forge.Shell.Host;
using Forge.Shell.Protocol;
using Forge.Shell.Tests.Fakes;
using Xunit;

namespace Forge.Shell.Tests.Palettes;

/// <summary>One two-member cluster (two ActorSystems in this process) shared by the read-only cluster commands.</summary>
public sealed class TwoMemberCluster : IAsyncLifetime
{
    internal TestCluster Cluster { get; private set; } = null!;
    public ShellHost Host { get; private set; } = null!;
    public string Endpoint => $"127.0.0.1:{Host.Endpoint.Port}";

    public async Task InitializeAsync()
    {
        Cluster = await TestCluster.StartAsync("us-east-1", "us-west-2");
        Host = ForgeShell.Start(Cluster.Systems[0], null, null, ShellUnderTest.Settings())!;
    }

    public async Task DisposeAsync()
    {
        await Host.DisposeAsync();
        await Cluster.DisposeAsync();
    }
}

public sealed class ClusterPaletteSpec(TwoMemberCluster fixture) : IClassFixture<TwoMemberCluster>
{
    private Task<ClientResult> Run(params string[] words) => ShellUnderTest.RunClient([fixture.Endpoint, .. words], "");

    [Fact]
    public async Task Show_prints_one_line_per_member_then_the_count()
    {
        var r = await Run("cluster", "show");
        Assert.True(r.Code == 0, r.ToString());
        Assert.Equal(3, r.Lines.Length);
        var addresses = fixture.Cluster.Systems.Select(s => TestCluster.AddressOf(s).ToString()).Order(StringComparer.Ordinal).ToList();
        Assert.Contains($"{addresses[0]} | roles: ", r.Lines[0]);
        Assert.Contains($"{addresses[1]} | roles: ", r.Lines[1]);
        Assert.Contains(r.Lines, l => l.EndsWith("| roles: coordinator,region:us-east-1 | region: us-east-1 | status: Up | reachable", StringComparison.Ordinal));
        Assert.Contains(r.Lines, l => l.EndsWith("| roles: coordinator,region:us-west-2 | region: us-west-2 | status: Up | reachable", StringComparison.Ordinal));
        Assert.Equal("Count: 2 nodes", r.Lines[2]);
    }

    [Fact]
    public async Task Status_and_leader()
    {
        var self = TestCluster.AddressOf(fixture.Cluster.Systems[0]);
        var status = await Run("cluster", "status");
        Assert.Equal(0, status.Code);
        Assert.Equal($"Self:        {self} (Up, region us-east-1, roles coordinator,region:us-east-1)", status.Lines[0]);
        Assert.Matches(@"^Leader:      akka\.tcp://forge@127\.0\.0\.1:\d+$", status.Lines[1]);
        Assert.Equal("Members:     2 (Up 2)", status.Lines[2]);
        Assert.Equal("Unreachable: 0", status.Lines[3]);

        var leader = await Run("cluster", "leader");
        Assert.Equal(0, leader.Code);
        Assert.Equal(status.Lines[1]["Leader:      ".Length..], Assert.Single(leader.Lines));
    }

    [Fact]
    public async Task Tail_streams_the_current_members_as_events_until_cancelled()
    {
        await using var connection = await ShellConnection.ConnectAsync("127.0.0.1", fixture.Host.Endpoint.Port, null, CancellationToken.None);
        using var cancel = new CancellationTokenSource();
        var lines = new List<string>();
        var done = await connection.RunAsync(["cluster", "tail"], l =>
        {
            lines.Add(l);
            if (lines.Count(x => x.Contains(" MemberUp ", StringComparison.Ordinal)) == 2) cancel.Cancel();
        }, cancel.Token);
        Assert.Equal(Done.Ok, done.Status);
        Assert.Equal("Streaming cluster events (Ctrl-C to stop)", lines[0]);
        Assert.Matches(@"^\S+Z MemberUp akka\.tcp://forge@127\.0\.0\.1:\d+ \(roles: coordinator,region:us-(east-1|west-2), status: Up\)$", lines[1]);
    }

    [Fact]
    public async Task The_client_completes_palette_and_command_names_it_learned_on_connect()
    {
        await using var connection = await ShellConnection.ConnectAsync("127.0.0.1", fixture.Host.Endpoint.Port, null, CancellationToken.None);
        Assert.Equal(["cluster", "forge", "agent"], connection.Palettes.Select(p => p.Name));
        var completer = new Completer(connection.Palettes);
        Assert.Equal(["cluster"], completer.Complete("cl").Candidates.ToArray());
        Assert.Equal(["down", "down-unreachable"], completer.Complete("cluster do").Candidates.ToArray());
        Assert.Equal(["leader", "leave"], completer.Complete("cluster le").Candidates.ToArray());
        Assert.Equal(["failover"], completer.Complete("forge fa").Candidates.ToArray());
        Assert.Equal(["--expires", "--help", "--reason", "--to"], completer.Complete("forge failover -").Candidates.ToArray());
        Assert.Equal(["list", "show"], completer.Complete("agent ").Candidates.ToArray());
        Assert.Equal("forge failover --to <cluster> --reason <text> [--expires <time>]",
            connection.Palettes.Single(p => p.Name == "forge").Command("failover")!.Usage);
    }

    [Fact]
    public async Task Bad_addresses_get_a_message_not_a_stack_trace()
    {
        var garbage = await Run("cluster", "down", "not-an-address");
        Assert.Equal(2, garbage.Code);
        Assert.Contains("error: 'not-an-address' is not a member address", garbage.Err);
        Assert.Contains("usage: cluster down <address>", garbage.Err);
        Assert.DoesNotContain("   at ", garbage.Err);

        var stranger = await Run("cluster", "leave", "akka.tcp://forge@127.0.0.1:1");
        Assert.Equal(1, stranger.Code);
        Assert.Contains("error: akka.tcp://forge@127.0.0.1:1 is not a member of the cluster; members: ", stranger.Err);
    }
}

/// <summary>The commands that change membership, on a cluster of their own.</summary>
public sealed class ClusterMembershipChangeSpec
{
    [Fact]
    public async Task Leave_down_and_down_unreachable_report_once_the_member_has_changed()
    {
        await using var cluster = await TestCluster.StartAsync("us-east-1", "us-west-2", "eu-west-1", "ap-south-1");
        var (a, b, c, d) = (cluster.Systems[0], cluster.Systems[1], cluster.Systems[2], cluster.Systems[3]);
        await using var host = ForgeShell.Start(a, null, null, ShellUnderTest.Settings())!;
        var endpoint = $"127.0.0.1:{host.Endpoint.Port}";
        var (bAddress, cAddress, dAddress) = (TestCluster.AddressOf(b), TestCluster.AddressOf(c), TestCluster.AddressOf(d));

        var none = await ShellUnderTest.RunClient([endpoint, "cluster", "down-unreachable"], "");
        Assert.Equal(["No unreachable members"], none.Lines);

        var leave = await ShellUnderTest.RunClient([endpoint, "cluster", "leave", cAddress.ToString()], "");
        Assert.True(leave.Code == 0, leave.ToString());
        Assert.Equal($"Asked {cAddress} to leave", leave.Lines[0]);
        Assert.Matches($@"^{Regex(cAddress)} is (Leaving|Exiting|Removed)$", leave.Lines[1]);

        var downed = await ShellUnderTest.RunClient([endpoint, "cluster", "down", dAddress.ToString()], "");
        Assert.True(downed.Code == 0, downed.ToString());
        Assert.Equal($"Marked {dAddress} down", downed.Lines[0]);
        Assert.Matches($@"^{Regex(dAddress)} is (Down|Removed)$", downed.Lines[1]);

        // Both gone before the crash below, so down-unreachable has exactly one member to act on (a run once found the
        // member that had left still listed, unreachable, when b crashed).
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (Akka.Cluster.Cluster.Get(a).State.Members.Any(m => m.Address == cAddress || m.Address == dAddress))
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"{cAddress} and {dAddress} were not removed within 30 s");
            await Task.Delay(50);
        }

        await b.Terminate(); // a crash: no leaving
        await cluster.AwaitUnreachableAsync(a, bAddress);
        var down = await ShellUnderTest.RunClient([endpoint, "cluster", "down-unreachable"], "");
        Assert.True(down.Code == 0, down.ToString());
        Assert.Equal($"Marked {bAddress} down", down.Lines[0]);
        Assert.Matches($@"^{Regex(bAddress)} is (Down|Removed)$", down.Lines[1]);

        var show = await ShellUnderTest.RunClient([endpoint, "cluster", "show"], "");
        Assert.Equal(0, show.Code);
        Assert.DoesNotContain(show.Lines, l => l.StartsWith(bAddress + " ", StringComparison.Ordinal) && l.Contains("status: Up", StringComparison.Ordinal));
    }

    private static string Regex(Akka.Actor.Address a) => System.Text.RegularExpressions.Regex.Escape(a.ToString());
}
