using System.Net;
using Akka.Configuration;

namespace Forge.Cluster;

/// <summary>
/// Socket settings of <see cref="RemoteTlsTransport"/>: its own section (<c>akka.remote.forge-tls</c>) first, then
/// <c>akka.remote.dot-netty.tcp</c>, so the hosting's hostname/port and the frame size set for Akka's transport apply
/// unchanged and the canonical address is the one Akka's transport would announce.
/// </summary>
public sealed record RemoteTlsTransportSettings(
    string Hostname,
    string PublicHostname,
    int Port,
    int? PublicPort,
    int MaxFrameSize,
    TimeSpan ConnectTimeout,
    bool LittleEndian,
    int Backlog)
{
    public const string DotNettyPath = "akka.remote.dot-netty.tcp";
    public const long DefaultOutboxLimit = 4 * 1024 * 1024;

    /// <summary>Bytes an association may hold queued for its socket; above it writes are refused, and Akka's endpoint
    /// writer buffers and retries (back-pressure, as Akka's transport does when its channel is not writable).</summary>
    public long OutboxLimit { get; init; } = DefaultOutboxLimit;

    public static RemoteTlsTransportSettings From(Config transport, Config system)
    {
        var c = transport.WithFallback(system.GetConfig(DotNettyPath) ?? Config.Empty);
        var hostname = c.GetString("hostname", "") ?? "";
        if (string.IsNullOrWhiteSpace(hostname)) hostname = IPAddress.Any.ToString(); // as Akka's transport does
        var publicHostname = c.GetString("public-hostname", "") ?? "";
        var publicPort = c.GetInt("public-port", 0);
        var frame = c.GetByteSize("maximum-frame-size", 128000) ?? 128000;
        if (frame < 32000 || frame > int.MaxValue)
            throw new ConfigurationException($"maximum-frame-size must be between 32000 bytes and 2 GiB, was {frame}");
        var order = (c.GetString("byte-order", "little-endian") ?? "little-endian").ToLowerInvariant();
        if (order is not ("little-endian" or "big-endian"))
            throw new ConfigurationException($"byte-order must be little-endian or big-endian, was '{order}'");
        var outbox = transport.GetByteSize("outbox-limit", DefaultOutboxLimit) ?? DefaultOutboxLimit;
        if (outbox < frame) throw new ConfigurationException($"outbox-limit must be at least maximum-frame-size ({frame} bytes), was {outbox}");
        return new RemoteTlsTransportSettings(
            hostname,
            publicHostname.Length > 0 ? publicHostname : hostname,
            c.GetInt("port", 2552),
            publicPort > 0 ? publicPort : null,
            (int)frame,
            c.GetTimeSpan("connection-timeout", TimeSpan.FromSeconds(15)),
            order == "little-endian",
            c.GetInt("backlog", 4096)) { OutboxLimit = outbox };
    }

    /// <summary>The host in this coordinator's Akka address: the public hostname (an IPv6 address in brackets).</summary>
    public string AddressHost => IPAddress.TryParse(PublicHostname, out var ip) ? Bracketed(ip) : PublicHostname;

    public static string Bracketed(IPAddress ip) =>
        ip.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? $"[{ip}]" : ip.ToString();
}
