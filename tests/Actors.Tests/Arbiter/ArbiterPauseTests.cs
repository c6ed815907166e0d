using Forge.Arbiter;
using Xunit;

namespace Forge.Tests.Arbiter;

/// <summary>The arbiter listens after its own process stood still (<see cref="ArbiterPause"/>): production settings,
/// decide interval 1 s, view-stale-after 6 s (bound 4 s), startup settle 5 s.</summary>
public sealed class ArbiterPauseTests
{
    private static readonly ArbiterSettings S = new(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(3), TimeSpan.FromSeconds(5),
        TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(6), TimeSpan.FromSeconds(5), 10);

    private static TimeSpan At(double s) => TimeSpan.FromSeconds(100 + s);

    public static TheoryData<string, double, bool> Gaps => new()
    {
        { "on time", 1.0, false },
        { "a late tick under load", 2.5, false },
        { "exactly the bound", 4.0, false },
        { "past the bound", 4.1, true },
        { "frozen past the grant TTL", 9.3, true },
    };

    [Theory]
    [MemberData(nameof(Gaps))]
    public void A_gap_since_the_last_tick_past_the_bound_starts_a_listen_window(string why, double gapS, bool pause)
    {
        var next = ArbiterPause.Start(At(0)).Observe(At(gapS), S, out var paused);
        Assert.True(pause == paused.HasValue, why);
        Assert.Equal(pause, next.Listening(At(gapS)));
        if (pause)
        {
            Assert.Equal(TimeSpan.FromSeconds(gapS), paused);
            Assert.True(next.Listening(At(gapS + 4.9)), why);
            Assert.False(next.Listening(At(gapS + 5)), why);
        }
    }

    [Fact]
    public void Decisions_before_the_late_tick_already_listen_and_the_tick_does_not_extend_the_window()
    {
        // On thaw, a view can reach the arbiter before its tick: the first decision finds the pause.
        var decided = ArbiterPause.Start(At(0)).Observe(At(9), S, out var first);
        Assert.NotNull(first);
        var ticked = decided.Ticked(At(9.2), S, out var again);
        Assert.Null(again);
        Assert.Equal(At(14), ticked.ListenUntil);
        Assert.Equal(At(9.2), ticked.LastTick);

        // Ticks on time afterwards: the window ends when it was set to, and no new one starts.
        var later = ticked.Ticked(At(10.2), S, out _).Ticked(At(11.2), S, out _).Ticked(At(12.2), S, out _).Ticked(At(13.2), S, out _);
        var after = later.Observe(At(14.1), S, out var none);
        Assert.Null(none);
        Assert.False(after.Listening(At(14.1)));
    }

    [Fact]
    public void Ticks_on_time_never_listen()
    {
        var p = ArbiterPause.Start(At(0));
        for (var i = 1; i <= 600; i++)
        {
            p = p.Ticked(At(i), S, out var paused);
            Assert.Null(paused);
            Assert.False(p.Observe(At(i + 0.99), S, out _).Listening(At(i + 0.99)));
        }
    }
}
