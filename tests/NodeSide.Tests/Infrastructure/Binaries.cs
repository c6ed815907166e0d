using Forge.Net;

namespace Forge.NodeSide.Tests.Infrastructure;

/// <summary>The two executables, built next to the tests by the project references.</summary>
internal static class Binaries
{
    public static string StandIn => Find("cardano-node-standin");
    public static string Fence => Find("forge-fence");

    private static string Find(string name)
    {
        var path = Path.Combine(AppContext.BaseDirectory, name);
        return File.Exists(path) ? path : throw new FileNotFoundException($"{name} is not built next to the tests", path);
    }

    /// <summary>A loopback port free right now, below the ephemeral range (see <see cref="LoopbackPorts"/>).</summary>
    public static int FreePort() => LoopbackPorts.Next();

    /// <summary>Slot 0 of every stand-in of one test run: 100 ms slots, so slot numbers stay small but non-zero.</summary>
    public static readonly long Epoch = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() - 60_000;
}
