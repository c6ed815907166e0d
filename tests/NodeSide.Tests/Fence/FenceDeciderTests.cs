using Forge.Fence.Decision;

namespace Forge.NodeSide.Tests.Fence;

/// <summary>The fence's whole policy, as a table. Times in ms for readability (the decider takes any unit).</summary>
public class FenceDeciderTests
{
    private const long EnableBound = 200;
    private const long LateTolerance = 100;

    [Theory]
    // state     phase       now   deadline  retryAt  → action
    // off: enable only an up node, only when the enable bound still fits, only after the retry backoff
    [InlineData("Off", "Up", 1000, 1300L, 0, "Enable")]
    [InlineData("Off", "Up", 1000, 1200L, 0, "None")]      // now + bound == deadline: too late to start
    [InlineData("Off", "Up", 1000, 1199L, 0, "None")]
    [InlineData("Off", "Starting", 1000, 5000L, 0, "None")] // kernel not up: SIGHUP would only reload topology
    [InlineData("Off", "Down", 1000, 5000L, 0, "None")]
    [InlineData("Off", "Up", 1000, null, 0, "None")]
    [InlineData("Off", "Up", 1000, 5000L, 1001, "None")]   // backing off after a failed enable
    [InlineData("Off", "Up", 1000, 900L, 0, "None")]       // off and past the deadline: nothing to do
    // on: keep while the deadline is ahead; disable at it; kill when woken far past it
    [InlineData("On", "Up", 1000, 1001L, 0, "None")]
    [InlineData("On", "Up", 1000, 1000L, 0, "Disable")]
    [InlineData("On", "Up", 1100, 1000L, 0, "Disable")]    // exactly at the tolerance
    [InlineData("On", "Up", 1101, 1000L, 0, "KillNow")]    // woke past deadline + tolerance (suspend, SIGSTOP)
    [InlineData("On", "Up", 1000, null, 0, "Disable")]     // DISABLE, or never a deadline
    [InlineData("On", "Down", 5000, 1000L, 0, "None")]     // a dead node forges nothing
    // unknown counts as forging
    [InlineData("Unknown", "Up", 1000, 5000L, 0, "Disable")]
    [InlineData("Unknown", "Up", 1000, null, 0, "Disable")]
    [InlineData("Unknown", "Up", 2000, 1000L, 0, "KillNow")]
    [InlineData("Unknown", "Starting", 1000, 5000L, 0, "Disable")]
    public void Decides(string state, string phase, long now, long? deadline, long retryAt, string expected)
    {
        var inputs = new FenceInputs(now, deadline, Enum.Parse<VerifiedState>(state), Enum.Parse<NodePhase>(phase),
            EnableBound, LateTolerance, retryAt);
        Assert.Equal(Enum.Parse<FenceAction>(expected), FenceDecider.Decide(inputs));
    }

    [Fact]
    public void Never_enables_when_the_deadline_is_not_beyond_the_enable_bound_and_never_leaves_a_past_deadline_forging()
    {
        // exhaustive over a small grid: the two safety properties hold for every combination
        foreach (var state in Enum.GetValues<VerifiedState>())
        foreach (var phase in Enum.GetValues<NodePhase>())
        foreach (var deadline in new long?[] { null, 0, 500, 1000, 1199, 1200, 1201, 5000 })
        for (var now = 0L; now <= 2000; now += 50)
        {
            var action = FenceDecider.Decide(new FenceInputs(now, deadline, state, phase, EnableBound, LateTolerance, 0));
            if (action == FenceAction.Enable) Assert.True(deadline > now + EnableBound);
            if (state != VerifiedState.Off && phase != NodePhase.Down && (deadline is null || now >= deadline))
                Assert.True(action is FenceAction.Disable or FenceAction.KillNow, $"{state} {phase} {now} {deadline}: {action}");
        }
    }
}
