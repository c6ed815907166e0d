namespace Forge.NodeSide.Tests.Infrastructure;

/// <summary>A private scratch directory per test (0700, like a pod's volumes), deleted afterwards.</summary>
internal sealed class TestDir : IDisposable
{
    public TestDir() => Path = Directory.CreateTempSubdirectory("nodeside-").FullName;

    public string Path { get; }

    public string this[string name] => System.IO.Path.Combine(Path, name);

    public string Sub(string name)
    {
        var dir = this[name];
        Directory.CreateDirectory(dir);
        return dir;
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
            // a process of the test may still hold a file; the OS cleans /tmp
        }
    }
}
