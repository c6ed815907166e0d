namespace Forge.Sandbox;

/// <summary>
/// <c>--faketime</c>: every coordinator and every agent runs under Debian's libfaketime with a timestamp file of its own
/// (initially "+0"), so a test can jump one process's wall clock (write "+3600" or "-3600" into its file; re-read within
/// a second). <c>FAKETIME_DONT_FAKE_MONOTONIC=1</c>: only CLOCK_REALTIME moves, as with a stepped NTP clock; safety must
/// rest on monotonic time. Never the stand-ins or fences: the stand-ins' slot clock is the ground truth of the forge logs.
/// <para><c>FAKETIME_FORCE_MONOTONIC_FIX=0</c>: libfaketime 0.9.10 turns its pthread_cond_timedwait "monotonic fix" on by
/// itself on this glibc, and with it .NET's timed waits return early: every process under it spun (an idle agent at ~25 %
/// of a core, .NET's timer thread making some 20,000 futex calls a second), the host's load reached 40-57 on 2 cores and
/// every timing of a run with <c>--faketime</c> was inflated (a coordinator's first pod read took 12 s). Without the fix
/// an idle .NET process under libfaketime costs what it does without it, and the offset file is still re-read.</para>
/// </summary>
internal static class Faketime
{
    private static readonly string[] Candidates =
    [
        "/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1",
        "/usr/lib/aarch64-linux-gnu/faketime/libfaketime.so.1",
        "/usr/lib/faketime/libfaketime.so.1",
    ];

    public static string Library() => Candidates.FirstOrDefault(File.Exists)
        ?? throw new SandboxStartException("--faketime needs libfaketime (Debian: apt-get install faketime); not found at " + string.Join(", ", Candidates));

    /// <summary>The environment that puts one process under libfaketime, reading its offset from <paramref name="file"/>.</summary>
    public static Dictionary<string, string> Environment(string library, string file)
    {
        File.WriteAllText(file, "+0\n");
        return new()
        {
            ["LD_PRELOAD"] = library,
            ["FAKETIME_TIMESTAMP_FILE"] = file,
            ["FAKETIME_DONT_FAKE_MONOTONIC"] = "1",
            ["FAKETIME_CACHE_DURATION"] = "1",
            ["FAKETIME_FORCE_MONOTONIC_FIX"] = "0",
        };
    }
}
