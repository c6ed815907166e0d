using System.Globalization;

namespace Forge.FaultInjection.Running;

/// <summary>What this machine lets the runner do. A scenario whose needs are not met is reported as skipped with the
/// reason, never as passed.</summary>
public static class HostCapabilities
{
    private const int CapNetAdmin = 12;
    private const int CapSysAdmin = 21; // `ip netns add` mounts the namespace under /run/netns

    /// <summary>Why network namespaces and nft cannot be used here, or null when they can.</summary>
    public static string? NetnsUnavailable()
    {
        var caps = EffectiveCapabilities();
        if (caps is null) return "cannot read CapEff from /proc/self/status";
        if ((caps.Value & (1UL << CapNetAdmin)) == 0 || (caps.Value & (1UL << CapSysAdmin)) == 0)
            return "needs root (CAP_NET_ADMIN and CAP_SYS_ADMIN) for `ip netns` and nft; this process lacks one of them";
        foreach (var tool in new[] { "ip", "nft" })
            if (Which(tool) is null) return $"`{tool}` is not installed (Debian: iproute2, nftables)";
        return null;
    }

    /// <summary>Why libfaketime cannot be used here, or null when it can (the sandbox's own list of places).</summary>
    public static string? FaketimeUnavailable() =>
        new[] { "/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1", "/usr/lib/aarch64-linux-gnu/faketime/libfaketime.so.1",
                "/usr/lib/faketime/libfaketime.so.1" }.Any(File.Exists)
            ? null
            : "libfaketime is not installed (Debian: apt-get install faketime)";

    public static string? Which(string tool) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':').Concat(["/usr/sbin", "/sbin"])
        .Select(d => Path.Combine(d, tool)).FirstOrDefault(File.Exists);

    private static ulong? EffectiveCapabilities()
    {
        var line = File.ReadLines("/proc/self/status").FirstOrDefault(l => l.StartsWith("CapEff:", StringComparison.Ordinal));
        return line is not null && ulong.TryParse(line[7..].Trim(), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var v) ? v : null;
    }
}
