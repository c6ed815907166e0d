using System.Reflection;

namespace Forge.Sandbox;

/// <summary>
/// Finds the executables the sandbox starts. In order: <c>FORGE_SANDBOX_BIN</c> (a directory holding all of them, e.g.
/// a publish directory), next to this assembly, then each project's own output directory in the source tree
/// (<c>src/&lt;Project&gt;/bin/&lt;Configuration&gt;/&lt;tfm&gt;/</c>), which is where <c>dotnet run --project src/Coordinator</c>
/// builds them (Sandbox.csproj references the projects without their assemblies).
/// </summary>
internal sealed record Binaries(string Coordinator, string StandIn, string Fence, string Agent)
{
    public static Binaries Locate()
    {
        var coordinator = Environment.ProcessPath is { } self && Path.GetFileName(self) == "forge-coordinator"
            ? self
            : Find("forge-coordinator", "Coordinator");
        return new Binaries(coordinator, Find("cardano-node-standin", "CardanoNodeStandIn"), Find("forge-fence", "Fence"),
            Find("forge-agent", "NodeAgent", native: true));
    }

    /// <param name="native">Prefer the Native AOT build in <c>native/</c> (the agent's: what its image ships).</param>
    public static string Find(string name, string project, bool native = false)
    {
        var tried = new List<string>();
        foreach (var dir in Candidates(project))
        {
            if (native && Path.Combine(dir, "native", name) is var aot && File.Exists(aot)) return aot;
            var path = Path.Combine(dir, name);
            tried.Add(path);
            if (File.Exists(path) && File.Exists(path + ".dll")) return path;
        }
        throw new FileNotFoundException(
            $"{name} is not built; run `dotnet build src/Coordinator` first (looked at: {string.Join(", ", tried)})", name);
    }

    private static IEnumerable<string> Candidates(string project)
    {
        if (Environment.GetEnvironmentVariable("FORGE_SANDBOX_BIN") is { Length: > 0 } bin) yield return bin;
        var here = AppContext.BaseDirectory;
        yield return here;
        var configuration = typeof(Binaries).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "Debug";
        var tfm = new DirectoryInfo(here.TrimEnd(Path.DirectorySeparatorChar)).Name; // e.g. net10.0
        if (RepositoryRoot(here) is { } root)
        {
            yield return Path.Combine(root, "src", project, "bin", configuration, tfm);
            foreach (var other in new[] { "Debug", "Release" }.Where(c => c != configuration))
                yield return Path.Combine(root, "src", project, "bin", other, tfm);
        }
    }

    /// <summary>The directory holding Coordinator.sln above <paramref name="start"/>, or null.</summary>
    public static string? RepositoryRoot(string start)
    {
        for (var d = new DirectoryInfo(start); d is not null; d = d.Parent)
            if (File.Exists(Path.Combine(d.FullName, "Coordinator.sln"))) return d.FullName;
        return null;
    }
}
