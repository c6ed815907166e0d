using Akka.Event;
using Forge.Shell.Client;
using Forge.Shell.Commands;
using Forge.Shell.Host;

namespace Forge.Shell.Tests.Fakes;

/// <summary>An in-process command host on a free loopback port, and the real client pointed at it.</summary>
internal sealed class ShellUnderTest : IAsyncDisposable
{
    private ShellUnderTest(ShellHost host) => Host = host;

    public ShellHost Host { get; }
    public string Endpoint => $"127.0.0.1:{Host.Endpoint.Port}";

    public static ShellSettings Settings(string? tokenFile = null, string host = "127.0.0.1", TimeSpan? changeTimeout = null) =>
        new(true, host, 0, tokenFile, 8, TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(5), changeTimeout ?? TimeSpan.FromSeconds(10));

    public static ShellUnderTest Start(IEnumerable<Palette> palettes, ShellSettings? settings = null) =>
        new(ShellHost.Start(settings ?? Settings(), "akka.tcp://forge@127.0.0.1:4053", palettes, NoLogger.Instance));

    /// <summary>One-shot mode: <c>shell HOST:PORT words...</c>.</summary>
    public Task<ClientResult> Run(params string[] words) => RunClient([Endpoint, .. words], "");

    /// <summary>Script mode: commands on stdin.</summary>
    public Task<ClientResult> Script(string script, params string[] options) => RunClient([.. options, Endpoint], script);

    public static async Task<ClientResult> RunClient(string[] args, string stdin)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var code = await ShellClient.RunAsync(args, new StringReader(stdin), output, error);
        return new ClientResult(code, output.ToString(), error.ToString());
    }

    public ValueTask DisposeAsync() => Host.DisposeAsync();
}

internal sealed record ClientResult(int Code, string Out, string Err)
{
    public string[] Lines => Out.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.TrimEnd('\r')).ToArray();

    public override string ToString() => $"exit {Code}\n--- stdout\n{Out}--- stderr\n{Err}";
}
