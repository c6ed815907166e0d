using Forge.NodeAgent.Tests.Infrastructure;
using Forge.Protocol;
using Forge.Transport;
using Xunit;
using Xunit.Abstractions;

namespace Forge.NodeAgent.Tests.Processes;

[Collection(ProcessCollection.Name)]
public sealed class EnableDisableTests(ITestOutputHelper output) : IAsyncLifetime
{
    private static readonly TimeSpan Ttl = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(20);
    private readonly TempDir _dir = new("forge-agent-proc");
    private FakeCoordinator _coordinator = null!;
    private DevPkiPaths _pki = null!;
    private AgentRig _rig = null!;

    public Task InitializeAsync()
    {
        _pki = DevCertificates.CreateSet(_dir["pki"]);
        _coordinator = new FakeCoordinator(_pki);
        _rig = AgentRig.Start(_dir, _coordinator, _pki);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await _rig.DisposeAsync();
        await _coordinator.DisposeAsync();
        _dir.Dispose();
    }

    private Task Registered() => _rig.WaitAsync(() => _coordinator.Registration is not null, Wait, "the agent to register");

    private Task Reported(VerifiedForging forging) =>
        _rig.WaitAsync(() => _coordinator.LastStatus is { } s && s.Forging == forging && s.Alive, Wait, $"a status report {forging}");

    [Fact]
    public async Task Start_path_then_enable_and_disable_are_verified_before_they_are_reported()
    {
        await Registered();
        var registration = _coordinator.Registration!;
        Assert.Equal(3, registration.Credentials.OpcertCounter);
        Assert.Equal(64, registration.Credentials.OpcertHash.Length);
        await Reported(VerifiedForging.Off);
        // start path: the node runs non-producing, its key directory empty once it is up
        await _rig.WaitAsync(() => _rig.FenceStatus()["phase"] == "up", Wait, "the node kernel up");
        Assert.Empty(Directory.EnumerateFiles(_rig.KeyDir));
        Assert.Empty(_rig.ForgeLogLines);
        var metrics = await _rig.HttpGetAsync("/metrics");
        Assert.Contains("cardano_cluster_forge_enabled{cluster=\"c1\",region=\"r1\",priority=\"1\"} 0", metrics);

        _coordinator.Grant(Ttl);
        await Reported(VerifiedForging.On);
        var on = _rig.ForgeLogLines.Events("on").Single();
        var report = _coordinator.ArrivalOf<NodeStatusReport>(s => s.Forging == VerifiedForging.On)!.Value;
        Assert.True(on.Mono < report, "forging was reported only after the node logged it on");
        Assert.Equal("on", _rig.FenceStatus()["state"]);
        metrics = await _rig.HttpGetAsync("/metrics");
        Assert.Contains("cardano_cluster_forge_enabled{cluster=\"c1\",region=\"r1\",priority=\"1\"} 1", metrics);
        Assert.Contains("cardano_forging_enabled 1", metrics);
        Assert.Contains("cardano_leader_status 1", metrics);

        // renewals keep it on well past one TTL
        await Task.Delay(Ttl + TimeSpan.FromSeconds(1));
        Assert.Equal(VerifiedForging.On, _coordinator.LastStatus!.Forging);
        Assert.Single(_rig.ForgeLogLines.Events("on"));

        _coordinator.Revoke();
        await _rig.WaitAsync(() => _coordinator.Last<Released>() is not null, Wait, "Released");
        var off = _rig.ForgeLogLines.Events("off").Single();
        Assert.True(off.Mono < _coordinator.ArrivalOf<Released>(_ => true)!.Value, "released only after the node logged off");
        Assert.Empty(Directory.EnumerateFiles(_rig.KeyDir));
        await Reported(VerifiedForging.Off);
        metrics = await _rig.HttpGetAsync("/metrics");
        Assert.Contains("cardano_forging_enabled 0", metrics);
        Assert.Contains("cardano_leadership_changes_total 2", metrics);
        Assert.Contains(_rig.Output, l => l.Contains("node health check", StringComparison.Ordinal));
        output.WriteLine(string.Join('\n', _rig.Output.Where(l => l.Contains("\"msg\"", StringComparison.Ordinal)).Take(40)));
    }
}
