using System.Net;
using System.Reflection;
using Akka.Configuration;
using Forge.Shell.Commands;

namespace Forge.Shell.Host;

/// <summary>Settings of the command host (hocon <c>forge.shell</c>, defaults in hocon/shell.conf). Validated here:
/// a host bound beyond loopback without a token refuses to start, naming the setting.</summary>
public sealed record ShellSettings
{
    public ShellSettings(
        bool enabled, string host, int port, string? tokenFile, int maxConnections,
        TimeSpan handshakeTimeout, TimeSpan queryTimeout, TimeSpan changeTimeout)
    {
        if (!IPAddress.TryParse(host, out var address))
            throw new ArgumentException($"forge.shell.host '{host}' is not an IP address");
        if (port is < 0 or > 65535) throw new ArgumentException($"forge.shell.port {port} is out of range");
        if (maxConnections < 1) throw new ArgumentException("forge.shell.max-connections must be at least 1");
        if (handshakeTimeout <= TimeSpan.Zero) throw new ArgumentException("forge.shell.handshake-timeout must be positive");
        if (queryTimeout <= TimeSpan.Zero) throw new ArgumentException("forge.shell.query-timeout must be positive");
        if (changeTimeout <= TimeSpan.Zero) throw new ArgumentException("forge.shell.change-timeout must be positive");
        tokenFile = string.IsNullOrWhiteSpace(tokenFile) ? null : tokenFile;
        if (enabled && tokenFile is null && !IPAddress.IsLoopback(address))
            throw new ArgumentException(
                $"forge.shell.host is {host}, not a loopback address: set forge.shell.token-file (a file or mounted Secret " +
                "holding the shared token) or bind to 127.0.0.1");
        Enabled = enabled;
        Address = address;
        Port = port;
        TokenFile = tokenFile;
        MaxConnections = maxConnections;
        HandshakeTimeout = handshakeTimeout;
        Timeouts = new ShellTimeouts(queryTimeout, changeTimeout);
    }

    public bool Enabled { get; }
    public IPAddress Address { get; }
    public int Port { get; }
    public string? TokenFile { get; }
    public int MaxConnections { get; }
    public TimeSpan HandshakeTimeout { get; }
    public ShellTimeouts Timeouts { get; }

    /// <summary>The defaults shipped in hocon/shell.conf (embedded in this assembly).</summary>
    public static Config DefaultConfig()
    {
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream("Forge.Shell.shell.conf")
            ?? throw new InvalidOperationException("Forge.Shell.shell.conf is not embedded");
        using var reader = new StreamReader(stream);
        return ConfigurationFactory.ParseString(reader.ReadToEnd());
    }

    public static ShellSettings FromConfig(Config config)
    {
        var c = config.WithFallback(DefaultConfig()).GetConfig("forge.shell");
        return new ShellSettings(
            c.GetBoolean("enabled"),
            c.GetString("host"),
            c.GetInt("port"),
            c.GetString("token-file"),
            c.GetInt("max-connections"),
            c.GetTimeSpan("handshake-timeout", null, allowInfinite: false),
            c.GetTimeSpan("query-timeout", null, allowInfinite: false),
            c.GetTimeSpan("change-timeout", null, allowInfinite: false));
    }
}
