using Forge.Net;

namespace Forge.NodeAgent.Tests.Infrastructure;

/// <summary>The executables the project references build next to the tests.</summary>
internal static class Binaries
{
    /// <summary>The agent from its own output directory: the Native AOT binary (<c>native/forge-agent</c>, what the
    /// image ships; Release builds make it) when it is there, else the JIT apphost (Debug). Next to the tests, the API
    /// emulator's ASP.NET Core framework reference makes the build drop package assemblies the JIT agent needs.</summary>
    public static string Agent
    {
        get
        {
            var testBin = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd('/'));
            var (tfm, config) = (testBin.Name, testBin.Parent!.Name);
            var root = testBin.Parent!.Parent!.Parent!.Parent!.Parent!.FullName;
            var bin = Path.Combine(root, "src", "NodeAgent", "bin", config, tfm);
            var native = Path.Combine(bin, "native", "forge-agent");
            if (File.Exists(native)) return native;
            var path = Path.Combine(bin, "forge-agent");
            return File.Exists(path) ? path : throw new FileNotFoundException("forge-agent is not built", path);
        }
    }
    public static string Fence => Find("forge-fence");
    public static string StandIn => Find("cardano-node-standin");

    /// <summary>Slot 0 shared by every stand-in of the run (100 ms slots).</summary>
    public static readonly long Epoch = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() - 60_000;

    private static string Find(string name)
    {
        var path = Path.Combine(AppContext.BaseDirectory, name);
        return File.Exists(path) ? path : throw new FileNotFoundException($"{name} is not built next to the tests", path);
    }

    public static int FreePort() => LoopbackPorts.Next();
}
