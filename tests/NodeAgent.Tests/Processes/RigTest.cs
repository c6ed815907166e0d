using Forge.NodeAgent.Tests.Infrastructure;
using Forge.Protocol;
using Forge.Transport;
using Xunit;

namespace Forge.NodeAgent.Tests.Processes;

/// <summary>One exec-mode rig per test, with the waits every scenario needs. Deadlines are generous: these tests run on a
/// shared 2-core machine; what they assert is ordering and bounds, never speed.</summary>
public abstract class RigTest : IAsyncLifetime
{
    protected static readonly TimeSpan Ttl = TimeSpan.FromSeconds(5);
    protected static readonly TimeSpan Wait = TimeSpan.FromSeconds(45);
    private readonly TempDir _dir = new("forge-agent-proc");
    private FakeCoordinator? _coordinator;
    private AgentRig? _rig;

    private protected FakeCoordinator Coordinator => _coordinator!;
    private protected AgentRig Rig => _rig!;

    protected virtual Action<string>? PrepareSource => null;

    /// <summary>Sidecar mode (the agent beside the fence, not under it) instead of exec mode.</summary>
    protected virtual bool Sidecar => false;

    public Task InitializeAsync()
    {
        var pki = DevCertificates.CreateSet(_dir["pki"]);
        _coordinator = new FakeCoordinator(pki);
        _rig = AgentRig.Start(_dir, _coordinator, pki, prepareSource: PrepareSource, sidecar: Sidecar);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        if (_rig is not null) await _rig.DisposeAsync();
        if (_coordinator is not null) await _coordinator.DisposeAsync();
        _dir.Dispose();
    }

    protected Task Registered() => Rig.WaitAsync(() => Coordinator.Registration is not null, Wait, "the agent to register");

    protected Task Reported(VerifiedForging forging) =>
        Rig.WaitAsync(() => Coordinator.LastStatus is { } s && s.Forging == forging && s.Alive, Wait, $"a status report {forging}");

    /// <summary>Registered, granted, and verified forging.</summary>
    protected async Task ForgingAsync()
    {
        await Registered();
        await Reported(VerifiedForging.Off);
        Coordinator.Grant(Ttl);
        await Reported(VerifiedForging.On);
    }

    /// <summary>The stand-in appends its forge log on its own slot clock, so the "off" line may trail the fence's
    /// verification by a slot: wait for it (its timestamp is the transition's).</summary>
    private protected async Task<ForgeLogLine> OffLoggedAsync(int count = 1)
    {
        await Rig.WaitAsync(() => Rig.ForgeLogLines.Events("off").Count() >= count, Wait, "the off transition in the forge log");
        return Rig.ForgeLogLines.Events("off").Last();
    }

    protected int AgentPid => Rig.AgentPid ?? throw new InvalidOperationException("no agent running");

    protected int NodePid => Rig.Pid("pid") ?? throw new InvalidOperationException("the fence reports no node");

    /// <summary>The node's last "off" transition must come before the end of the grant: the arrival of the last request
    /// the coordinator confirmed (no earlier than its send) + TTL.</summary>
    protected async Task AssertOffBeforeGrantEndAsync()
    {
        var off = await OffLoggedAsync();
        var grantEnd = Coordinator.LastConfirmedRequestMono + (long)Ttl.TotalMilliseconds * 1_000_000;
        Assert.True(off.Mono < grantEnd, $"off {(off.Mono - grantEnd) / 1e6:F0} ms relative to the grant's end");
    }
}
