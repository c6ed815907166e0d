namespace Forge.Shell.Client;

/// <summary>Command history, persisted one line per entry (~/.forge_shell_history); a damaged or unwritable file
/// costs the history, never the session.</summary>
public sealed class ShellHistory
{
    public const int MaxEntries = 1000;
    private readonly string? _path;
    private readonly List<string> _entries;

    public ShellHistory(string? path)
    {
        _path = path;
        try
        {
            _entries = path is not null && File.Exists(path)
                ? File.ReadAllLines(path).Where(l => l.Length > 0).TakeLast(MaxEntries).ToList()
                : [];
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            _entries = [];
        }
    }

    public static string DefaultPath =>
        Environment.GetEnvironmentVariable("FORGE_SHELL_HISTORY") is { Length: > 0 } p
            ? p
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".forge_shell_history");

    public IReadOnlyList<string> Entries => _entries;

    public void Add(string line)
    {
        line = line.Trim();
        if (line.Length == 0 || line.Contains('\n', StringComparison.Ordinal) || (_entries.Count > 0 && _entries[^1] == line)) return;
        _entries.Add(line);
        if (_entries.Count > MaxEntries) _entries.RemoveAt(0);
        if (_path is null) return;
        try
        {
            // 0600 when created, as a shell's history: it names clusters, nodes and the operators' reasons
            var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write };
            if (!OperatingSystem.IsWindows()) options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
            using var writer = new StreamWriter(_path, options);
            foreach (var entry in _entries) writer.WriteLine(entry);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
        }
    }
}
