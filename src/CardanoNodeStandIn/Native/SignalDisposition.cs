using System.Runtime.InteropServices;

namespace Forge.StandIn.Native;

/// <summary>
/// cardano-node installs its SIGHUP handler whatever disposition it inherited; .NET does not: a signal ignored at
/// start (a sandbox launched with <c>nohup</c>, or from a non-interactive shell's background job) stays ignored and
/// <see cref="PosixSignalRegistration"/> installs nothing for it, so the stand-in would never reconfigure forging.
/// Restoring the default disposition first makes the registration take effect, as the real node's does.
/// </summary>
internal static partial class SignalDisposition
{
    private const int SigHup = 1;
    private static readonly IntPtr SigDfl = IntPtr.Zero;

    [LibraryImport("libc", EntryPoint = "signal", SetLastError = true)]
    private static partial IntPtr Signal(int signum, IntPtr handler);

    /// <summary>SIGHUP back to its default disposition (before registering a handler for it).</summary>
    public static void RestoreSighup()
    {
        if (Signal(SigHup, SigDfl) == new IntPtr(-1))
            throw new InvalidOperationException($"signal(SIGHUP, SIG_DFL) failed: errno {Marshal.GetLastPInvokeError()}");
    }
}
