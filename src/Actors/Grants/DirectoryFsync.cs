using System.ComponentModel;
using System.Runtime.InteropServices;

namespace Forge.Grants;

/// <summary>
/// fsync of a directory, so a rename inside it is durable. .NET cannot open a directory as a file handle on Linux
/// (<c>File.OpenHandle</c> throws UnauthorizedAccessException), so this goes through libc.
/// </summary>
internal static partial class DirectoryFsync
{
    private const int ReadOnly = 0;          // O_RDONLY
    private const int Directory = 0x10000;   // O_DIRECTORY (Linux)
    private const int CloseOnExec = 0x80000; // O_CLOEXEC (Linux)

    public static void Flush(string path)
    {
        if (!OperatingSystem.IsLinux()) return;
        var fd = Open(path, ReadOnly | Directory | CloseOnExec);
        if (fd < 0) throw new IOException($"open({path}) for fsync failed", new Win32Exception(Marshal.GetLastPInvokeError()));
        try
        {
            if (Fsync(fd) != 0)
                throw new IOException($"fsync({path}) failed", new Win32Exception(Marshal.GetLastPInvokeError()));
        }
        finally
        {
            _ = Close(fd);
        }
    }

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Open(string path, int flags);

    [LibraryImport("libc", EntryPoint = "fsync", SetLastError = true)]
    private static partial int Fsync(int fd);

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    private static partial int Close(int fd);
}
