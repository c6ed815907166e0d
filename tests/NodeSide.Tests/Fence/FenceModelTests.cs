using CsCheck;
using Forge.Fence.Decision;

namespace Forge.NodeSide.Tests.Fence;

/// <summary>
/// A model of the fence loop around the real <see cref="FenceDecider"/>: random agent scripts (deadlines, DISABLE,
/// fence stalls), enables and disables that take any time within their bounds, forging that starts the instant an
/// enable begins (worst case). The safety property: the node never forges later than the latest deadline it was
/// given + the disable bound + the late tolerance + one poll, except while the fence itself is stalled (the stated
/// residual risk), after which it kills at once. CsCheck prints the seed of any failing script.
/// </summary>
public class FenceModelTests
{
    private const long EnableBound = 200, DisableBound = 200, Tolerance = 100, PollMs = 5, Horizon = 5000;

    private sealed record Op(int Kind, long At, long Value); // 0: DEADLINE at+value, 1: DISABLE, 2: fence stalls for value

    private static readonly Gen<(Op[] Ops, int Seed)> Scripts = Gen.Select(
        Gen.Select(Gen.Int[0, 2], Gen.Long[0, 4000], Gen.Long[0, 1500], (k, at, v) => new Op(k, at, v)).Array[1, 25],
        Gen.Int,
        (ops, seed) => (ops.OrderBy(o => o.At).ToArray(), seed));

    [Fact]
    public void The_node_never_forges_past_the_latest_deadline_plus_the_disable_bound_unless_the_fence_is_stalled() =>
        Scripts.Sample(s => Simulate(s.Ops, s.Seed, FenceDecider.Decide) is null, iter: 1000);

    [Fact]
    public void The_model_finds_the_bug_when_a_safety_rule_is_removed()
    {
        // broken: once on, never disabled because of the deadline
        static FenceAction IgnoresDeadlineWhenOn(in FenceInputs i) =>
            i.State == VerifiedState.On ? FenceAction.None : FenceDecider.Decide(i);
        // broken: an unknown state is left alone
        static FenceAction TrustsUnknown(in FenceInputs i) =>
            i.State == VerifiedState.Unknown && i.Deadline is { } d && i.Now < d + 10_000 ? FenceAction.None : FenceDecider.Decide(i);

        Assert.True(FindsViolation(IgnoresDeadlineWhenOn));
        Assert.True(FindsViolation(TrustsUnknown));
    }

    private delegate FenceAction Decider(in FenceInputs inputs);

    private static bool FindsViolation(Decider decide)
    {
        var found = false;
        Scripts.Sample(s =>
        {
            if (Simulate(s.Ops, s.Seed, decide) is not null) found = true;
        }, iter: 1000);
        return found;
    }

    private static string? Simulate(Op[] ops, int seed, Decider decide)
    {
        var rng = new Random(seed);
        long t = 0, retryAt = 0, maxSent = long.MinValue / 2;
        long? deadline = null;
        var state = VerifiedState.Off;
        var forging = false;
        var stalls = new List<(long From, long To)>();
        var next = 0;

        void ApplyOps(long upTo)
        {
            for (; next < ops.Length && ops[next].At <= upTo; next++)
            {
                var o = ops[next];
                switch (o.Kind)
                {
                    case 0:
                        deadline = o.At + o.Value;
                        maxSent = Math.Max(maxSent, deadline.Value);
                        break;
                    case 1: deadline = deadline is { } d ? Math.Min(d, o.At) : null; break; // as FenceLoop.Disable
                    default: stalls.Add((Math.Max(o.At, t), Math.Max(o.At, t) + o.Value)); break;
                }
            }
        }

        bool Stalled(long ms) => stalls.Any(s => ms >= s.From && ms <= s.To + 1);

        string? Check(long from, long to)
        {
            if (!forging) return null;
            for (var ms = from; ms < to; ms++)
            {
                if (ms > maxSent + DisableBound + Tolerance + PollMs && !Stalled(ms))
                    return $"forging at {ms} ms, latest deadline {maxSent} ms (seed {seed})";
            }
            return null;
        }

        while (t < Horizon)
        {
            ApplyOps(t);
            var stalledUntil = stalls.Where(s => t >= s.From && t < s.To).Select(s => s.To).DefaultIfEmpty(-1).Max();
            if (stalledUntil > t)
            {
                t = stalledUntil; // the node keeps whatever it was doing: the residual risk, excluded by Stalled()
                continue;
            }

            string? violation;
            switch (decide(new FenceInputs(t, deadline, state, NodePhase.Up, EnableBound, Tolerance, retryAt)))
            {
                case FenceAction.Enable:
                    forging = true; // worst case: the node forges from the SIGHUP on, before it is verified
                    var done = t + rng.NextInt64(1, EnableBound + 1);
                    var start = t;
                    state = VerifiedState.On;
                    for (; t < done; t += PollMs)
                    {
                        ApplyOps(t);
                        if ((violation = Check(t, t + PollMs)) is not null) return violation;
                        if (deadline is not { } d || t >= d)
                        {
                            state = VerifiedState.Unknown; // aborted: the next decision must turn it off
                            retryAt = start + 1000;
                            break;
                        }
                    }
                    break;
                case FenceAction.Disable:
                    var took = rng.NextInt64(1, DisableBound + 1); // verified off, or killed, within the bound
                    if ((violation = Check(t, t + took)) is not null) return violation;
                    (forging, state, t) = (false, VerifiedState.Off, t + took);
                    break;
                case FenceAction.KillNow:
                    if ((violation = Check(t, t + 1)) is not null) return violation;
                    (forging, state, t) = (false, VerifiedState.Off, t + 1);
                    break;
                default:
                    if ((violation = Check(t, t + PollMs)) is not null) return violation;
                    t += PollMs;
                    break;
            }
        }
        return null;
    }
}
