using System.Runtime.InteropServices;

namespace Forge.Sandbox;

internal static partial class Native
{
    public const int SIGKILL = 9;
    public const int SIGTERM = 15;
    public const int SIGSTOP = 19;

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int KillNative(int pid, int signal);

    public static bool Kill(int pid, int signal) => pid > 0 && KillNative(pid, signal) == 0;
}
