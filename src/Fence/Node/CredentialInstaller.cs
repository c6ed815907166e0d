namespace Forge.Fence.Node;

/// <summary>
/// Puts the three credential files where the node reads them and takes them away again. Installing is atomic per file
/// (write a 0600 temp file in the target directory, fsync, rename over the target), so the node never reads half a key.
/// Bytes only: contents are never turned into text or logged.
/// </summary>
internal sealed class CredentialInstaller(IReadOnlyList<(string Source, string Target)> files)
{
    private const UnixFileMode OwnerReadWrite = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    public IReadOnlyList<(string Source, string Target)> Files => files;

    /// <exception cref="IOException">a source is missing or a target cannot be written; nothing is left half-installed</exception>
    public void Install()
    {
        try
        {
            foreach (var (source, target) in files)
            {
                var bytes = File.ReadAllBytes(source);
                var temp = TempPath(target);
                using (var stream = new FileStream(temp, new FileStreamOptions
                       {
                           Mode = FileMode.Create, Access = FileAccess.Write, UnixCreateMode = OwnerReadWrite,
                       }))
                {
                    stream.Write(bytes);
                    stream.Flush(flushToDisk: true);
                }
                File.SetUnixFileMode(temp, OwnerReadWrite); // the temp file may have existed with other bits
                File.Move(temp, target, overwrite: true);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Remove();
            throw new IOException($"installing credentials failed: {e.GetType().Name} on {Describe(e)}", e);
        }
    }

    /// <summary>Removes every target (and any temp file); missing files are fine. Throws only if one could not go.</summary>
    public void Remove()
    {
        foreach (var (_, target) in files)
        {
            File.Delete(TempPath(target));
            File.Delete(target);
        }
    }

    public bool AnyInstalled() => files.Any(f => File.Exists(f.Target));

    private static string TempPath(string target) =>
        Path.Combine(Path.GetDirectoryName(Path.GetFullPath(target))!, "." + Path.GetFileName(target) + ".fence-tmp");

    private string Describe(Exception e) =>
        files.Select(f => f.Source).FirstOrDefault(s => !File.Exists(s)) is { } missing ? $"missing source {missing}" : e.Message;
}
