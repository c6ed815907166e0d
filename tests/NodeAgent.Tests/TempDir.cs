namespace Forge.NodeAgent.Tests;

/// <summary>A private temporary directory removed on dispose.</summary>
internal sealed class TempDir : IDisposable
{
    public TempDir(string prefix = "forge-agent-test")
    {
        Path = Directory.CreateTempSubdirectory(prefix + "-").FullName;
    }

    public string Path { get; }

    public string this[string name] => System.IO.Path.Combine(Path, name);

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
            // a child process may still hold a file; the OS cleans /tmp
        }
    }
}
