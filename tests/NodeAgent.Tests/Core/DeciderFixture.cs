using Forge.NodeAgent.Config;
using Forge.NodeAgent.Core;
using Forge.Protocol;

namespace Forge.NodeAgent.Tests.Core;

/// <summary>Drives <see cref="AgentDecider"/> through scripted events with a hand-held clock (ms → ns).</summary>
internal sealed class DeciderFixture
{
    public static readonly NodeId Node = new("c1", "pod-0");
    public static readonly TermId T1 = new(1, "p");
    public static readonly TermId T2 = new(2, "p");
    public static readonly TimeSpan Ttl = TimeSpan.FromSeconds(5);

    public DeciderFixture(AgentTimings? timings = null)
    {
        Rules = new AgentRules("pool1", Node, Guid.NewGuid(), timings ?? new AgentTimings
        {
            Margin = TimeSpan.FromMilliseconds(500),
            FenceDisableBound = TimeSpan.FromSeconds(2),
            RequestRetry = TimeSpan.FromMilliseconds(500),
            FenceTimeout = TimeSpan.FromSeconds(1),
            HandoverTimeout = TimeSpan.FromSeconds(10),
        });
        State = AgentState.Initial(0, null, Rules.NewPermission());
        Apply(new AgentEvent.FenceSeen(new FenceObservation(VerifiedForging.Off, null, 42, "up", SignalOutcome.None, null)));
    }

    public AgentRules Rules { get; }
    public AgentState State { get; set; }
    public long NowMs { get; set; }
    public long Now => NowMs * 1_000_000;
    public List<AgentEffect> Effects { get; } = [];

    public IReadOnlyList<AgentEffect> Apply(AgentEvent e)
    {
        var d = AgentDecider.Decide(State, e, Now, Rules);
        State = d.State;
        Effects.AddRange(d.Effects);
        return d.Effects;
    }

    public IReadOnlyList<AgentEffect> At(long ms, AgentEvent e)
    {
        NowMs = ms;
        return Apply(e);
    }

    public IReadOnlyList<AgentEffect> Receive(IAgentProtocolMessage m) => Apply(new AgentEvent.Received(m));

    public Grant Grant(TermId term, TimeSpan? activation = null) =>
        new("pool1", Node, Rules.Incarnation, term, Ttl, activation ?? TimeSpan.Zero, "test");

    public Renewed Renewed(TermId term, long requestId, TimeSpan? ttl = null) =>
        new(Node, Rules.Incarnation, term, ttl ?? Ttl, requestId, ["r1", "r2"]);

    public Revoke Revoke(TermId term, bool planned = false) => new("pool1", Node, Rules.Incarnation, term, planned, "test");

    public IReadOnlyList<AgentEffect> Fence(VerifiedForging state, string? request) =>
        Apply(new AgentEvent.FenceSeen(new FenceObservation(state, request, 42, "up", SignalOutcome.Verified, null)));

    /// <summary>Grant at <paramref name="ms"/>, confirmation of its request right after, fence verified on.</summary>
    public void Forging(TermId term, long ms)
    {
        At(ms, new AgentEvent.Received(Grant(term)));
        var request = Effects.OfType<AgentEffect.Send>().Select(s => s.Message).OfType<GrantRequest>().Last();
        At(ms + 5, new AgentEvent.Received(Renewed(term, request.RequestId)));
        Fence(VerifiedForging.On, State.FenceRequest);
    }
}
