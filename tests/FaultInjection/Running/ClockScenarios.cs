namespace Forge.FaultInjection.Running;

/// <summary>A wall-clock jump of ±1 h on one process (sandbox --faketime: libfaketime with FAKETIME_DONT_FAKE_MONOTONIC=1,
/// the process's offset file rewritten), held for the pause plus one grant TTL, then set back (itself a jump the other
/// way). Targets: the arbiter's host, or the forging node's agent; never a stand-in or a fence.</summary>
public static partial class Scenarios
{
    private static Scenario[] ClockScenarios =>
    [
        new("clock-forward-arbiter-host", "the arbiter host's wall clock +1 h, then back",
            c => ClockJumpAsync(c, "+3600", arbiterHost: true), Needs.Faketime),
        new("clock-back-arbiter-host", "the arbiter host's wall clock -1 h, then back",
            c => ClockJumpAsync(c, "-3600", arbiterHost: true), Needs.Faketime),
        new("clock-forward-forger-agent", "the forging agent's wall clock +1 h, then back",
            c => ClockJumpAsync(c, "+3600", arbiterHost: false), Needs.Faketime),
        new("clock-back-forger-agent", "the forging agent's wall clock -1 h, then back",
            c => ClockJumpAsync(c, "-3600", arbiterHost: false), Needs.Faketime),
    ];

    private static async Task<Fault> ClockJumpAsync(FaultContext c, string offset, bool arbiterHost)
    {
        string file, who;
        if (arbiterHost)
        {
            var host = await ArbiterHostAsync(c).ConfigureAwait(false);
            file = host.Coordinator.FaketimeFile ?? throw new InvalidOperationException("the sandbox runs without --faketime");
            who = $"arbiter host {host.Region.Name} pid {host.Coordinator.Pid}";
        }
        else
        {
            file = c.Forger.AgentFaketimeFile ?? throw new InvalidOperationException("the sandbox runs without --faketime");
            who = $"agent of {c.Forger.Id} pid {c.Forger.AgentPid}";
        }
        var hold = c.PauseFor + c.GrantTtl;
        var at = Native.MonoNow();
        try
        {
            await File.WriteAllTextAsync(file, offset + "\n").ConfigureAwait(false);
            await Task.Delay(hold).ConfigureAwait(false); // the shifted clock held is the fault itself
        }
        finally
        {
            await File.WriteAllTextAsync(file, "+0\n").ConfigureAwait(false);
        }
        return new Fault($"wall clock {offset} s on {who} for {hold.TotalSeconds:0.#} s, then +0", at, [], at) { HealedMono = Native.MonoNow() };
    }
}
