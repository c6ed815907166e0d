using System.Diagnostics;

namespace Forge.Sandbox;

/// <summary>One process, by PID and start time, so a PID the kernel reuses is never taken for it.</summary>
internal sealed record ProcessIdentity(int Pid, long StartTime)
{
    public static ProcessIdentity? Of(int pid) => ProcFs.Alive(pid) && ProcFs.StartTime(pid) is > 0 and var t ? new(pid, t) : null;

    /// <summary>Running or stopped; a zombie runs no code and counts as dead.</summary>
    public bool Alive => ProcFs.Alive(Pid) && ProcFs.StartTime(Pid) == StartTime;
}

/// <summary>What <see cref="PodKill.TerminateAsync"/> did: whom it SIGKILLed after the grace, who still lives, how long it took.</summary>
internal sealed record PodKillOutcome(IReadOnlyList<int> Pids, IReadOnlyList<int> Sigkilled, IReadOnlyList<int> Surviving, TimeSpan Took)
{
    public bool AllDead => Surviving.Count == 0;
}

/// <summary>
/// Ends a pod's processes as a kubelet does: SIGTERM to each, SIGKILL to those still alive after the grace, then waits
/// until every one is dead. No SIGCONT ever: a SIGSTOPped process keeps its SIGTERM pending, and SIGKILL ends it
/// without letting it run a single instruction (a frozen cardano-node must not get to forge the slot it wakes in).
/// </summary>
internal static class PodKill
{
    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(10);

    /// <summary>The processes of a pod: <paramref name="roots"/> (its containers' entrypoints) and everything below them,
    /// children first, so the node (the fence's child) is signalled before its fence.</summary>
    public static IReadOnlyList<ProcessIdentity> ProcessesOf(IEnumerable<int> roots) =>
        roots.Where(p => p > 0)
            .SelectMany(p => ProcFs.Descendants(p).Reverse().Append(p))
            .Distinct()
            .Select(ProcessIdentity.Of)
            .OfType<ProcessIdentity>()
            .ToList();

    /// <summary>Returns once every process <paramref name="scan"/> found is dead, or <paramref name="killLimit"/> after the
    /// SIGKILLs with the survivors. The scan runs again before the SIGKILLs: a child started during the grace (a fence
    /// restarting its agent) is killed and awaited too.</summary>
    public static async Task<PodKillOutcome> TerminateAsync(Func<IReadOnlyList<ProcessIdentity>> scan, TimeSpan grace, TimeSpan killLimit)
    {
        var clock = Stopwatch.StartNew();
        var processes = scan();
        Signal(processes, Native.SIGTERM);
        await UntilDeadAsync(processes, grace);
        processes = processes.Union(scan()).ToList();
        var sigkilled = Signal(processes, Native.SIGKILL);
        await UntilDeadAsync(processes, killLimit);
        return new PodKillOutcome(
            processes.Select(p => p.Pid).ToList(), sigkilled, processes.Where(p => p.Alive).Select(p => p.Pid).ToList(), clock.Elapsed);
    }

    private static List<int> Signal(IEnumerable<ProcessIdentity> processes, int signal)
    {
        var sent = new List<int>();
        foreach (var p in processes)
        {
            // the identity check right before kill(2): a reused PID is never signalled
            if (p.Alive && Native.Kill(p.Pid, signal)) sent.Add(p.Pid);
        }
        return sent;
    }

    private static async Task UntilDeadAsync(IReadOnlyList<ProcessIdentity> processes, TimeSpan limit)
    {
        var deadline = Stopwatch.StartNew();
        while (processes.Any(p => p.Alive) && deadline.Elapsed < limit)
            await Task.Delay(Poll);
    }
}
