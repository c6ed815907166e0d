using System.Runtime.InteropServices;

namespace Forge.NodeAgent.Native;

/// <summary>
/// The agent's GC gen0 budget. The workstation GC sizes gen0 from the L3 cache (tens of MB on server CPUs) and the agent
/// allocates little, so its heap grows by about that much between collections: ~9 MiB of its RSS in the sandbox
/// (benchmarks/README.md, agent footprint). The budget (<c>GCgen0size</c>) has no runtimeconfig.json name: the runtime
/// reads it from the environment only. So the agent sets it for itself and re-executes itself once, before anything else
/// (execv: the same PID, arguments and parent-death signal; the fence and Kubernetes see one process). A value inherited
/// from a parent (the fence passes its environment to the agent in exec mode; the sandbox gives every child 16 MiB) is
/// replaced: the budget is the agent's own. <c>FORGE_AGENT_GC_GEN0SIZE</c> overrides it (0 = the runtime's default).
/// </summary>
internal static partial class Gen0Budget
{
    public const string Variable = "DOTNET_GCgen0size";
    public const string Override = "FORGE_AGENT_GC_GEN0SIZE";
    /// <summary>1 MiB: the idle agent allocates ~4-5 MiB a minute in the sandbox, so a gen0 collection every ~15 s
    /// (agent CPU unchanged at ~3 % of one core). 2 MiB measured ~1.5 MiB more RSS, 4 MiB ~5 MiB more.</summary>
    public const string Value = "0x100000";

    [LibraryImport("libc", EntryPoint = "setenv", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int SetEnv(string name, string value, int overwrite);

    [LibraryImport("libc", EntryPoint = "execv", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int ExecV(string path, nint[] argv);

    /// <summary>Returns only when the budget is already the agent's (after the re-exec) or re-executing failed (the
    /// agent then runs with the inherited or default budget: larger, not unsafe); the reason is returned for the log.</summary>
    public static string? EnsureOrReexec()
    {
        var wanted = Environment.GetEnvironmentVariable(Override) ?? Value;
        if (Environment.GetEnvironmentVariable(Variable) == wanted) return null;
        // the exact argv of this process (apphost or `dotnet forge-agent.dll`), NUL-separated
        var argv = File.ReadAllText("/proc/self/cmdline").TrimEnd('\0').Split('\0');
        if (SetEnv(Variable, wanted, 1) != 0) return $"setenv failed: errno {Marshal.GetLastPInvokeError()}";
        var pointers = new nint[argv.Length + 1];
        for (var i = 0; i < argv.Length; i++) pointers[i] = Marshal.StringToCoTaskMemUTF8(argv[i]);
        // the executable's own path, not /proc/self/exe: the new image's name (comm: ps, pgrep, top) comes from it
        ExecV(Environment.ProcessPath ?? "/proc/self/exe", pointers);
        var errno = Marshal.GetLastPInvokeError();
        foreach (var p in pointers) Marshal.FreeCoTaskMem(p);
        return $"re-executing with {Variable} failed: errno {errno}";
    }
}
