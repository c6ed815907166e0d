using Forge.Shell.Protocol;

namespace Forge.Shell.Client;

/// <summary>
/// The pbm-style client behind <c>forge-coordinator shell [HOST:PORT] [command words...]</c>: an interactive prompt
/// (<c>[127.0.0.1:9110] forge&gt;</c>) with completion and history, a one-shot mode for scripts, and line-by-line
/// reading when stdin is not a terminal. Exit codes: 0 ok, 1 failure (or unreachable/refused host), 2 bad usage.
/// </summary>
public static class ShellClient
{
    public const int ExitOk = 0;
    public const int ExitFailed = 1;
    public const int ExitUsage = 2;

    /// <summary>Entry point of the coordinator's <c>shell</c> verb; <paramref name="args"/> are the words after it.</summary>
    public static async Task<int> RunAsync(string[] args)
    {
        var session = new ClientSession(Console.In, Console.Out, Console.Error);
        Console.CancelKeyPress += session.OnCancelKeyPress;
        try
        {
            return await session.RunAsync(args, Environment.GetEnvironmentVariable,
                interactive: !Console.IsInputRedirected && !Console.IsOutputRedirected, ShellHistory.DefaultPath).ConfigureAwait(false);
        }
        finally
        {
            Console.CancelKeyPress -= session.OnCancelKeyPress;
        }
    }

    /// <summary>The same, on given streams and never interactive (tests, embedding).</summary>
    public static Task<int> RunAsync(IReadOnlyList<string> args, TextReader input, TextWriter output, TextWriter error,
        Func<string, string?>? environment = null) =>
        new ClientSession(input, output, error).RunAsync(args, environment ?? (_ => null), interactive: false, historyPath: null);
}

/// <summary>One run of the client: options, connection, then one command, a script, or the prompt.</summary>
internal sealed class ClientSession(TextReader input, TextWriter output, TextWriter error)
{
    private static readonly TimeSpan ConnectTimeout = TimeSpan.FromSeconds(10);
    private CancellationTokenSource? _running;

    /// <summary>Ctrl-C while a command runs stops that command (streaming ones end normally), not the client.</summary>
    public void OnCancelKeyPress(object? sender, ConsoleCancelEventArgs e)
    {
        if (Volatile.Read(ref _running) is not { } running) return;
        e.Cancel = true;
        running.Cancel();
    }

    public async Task<int> RunAsync(IReadOnlyList<string> args, Func<string, string?> environment, bool interactive, string? historyPath)
    {
        ClientOptions options;
        try
        {
            options = ClientOptions.Parse(args, environment);
        }
        catch (FormatException e)
        {
            await error.WriteLineAsync($"error: {e.Message}\n{ClientOptions.Usage}").ConfigureAwait(false);
            return ShellClient.ExitUsage;
        }
        if (options.ShowHelp)
        {
            await output.WriteLineAsync(ClientOptions.Usage).ConfigureAwait(false);
            return ShellClient.ExitOk;
        }

        string? token = null;
        if (options.TokenFile is { } file)
        {
            try
            {
                token = (await File.ReadAllTextAsync(file).ConfigureAwait(false)).Trim();
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                await error.WriteLineAsync($"error: cannot read token file '{file}': {e.Message}").ConfigureAwait(false);
                return ShellClient.ExitFailed;
            }
        }

        ShellConnection connection;
        using (var connectDeadline = new CancellationTokenSource(ConnectTimeout))
        {
            try
            {
                connection = await ShellConnection.ConnectAsync(options.Host, options.Port, token, connectDeadline.Token).ConfigureAwait(false);
            }
            catch (ShellConnectException e)
            {
                await error.WriteLineAsync($"error: {e.Message}").ConfigureAwait(false);
                return ShellClient.ExitFailed;
            }
            catch (OperationCanceledException)
            {
                await error.WriteLineAsync($"error: {options.Host}:{options.Port} did not answer within {ConnectTimeout.TotalSeconds:0}s").ConfigureAwait(false);
                return ShellClient.ExitFailed;
            }
        }

        await using (connection.ConfigureAwait(false))
        {
            try
            {
                if (options.Command.Count > 0) return (await ExecuteAsync(connection, options.Command).ConfigureAwait(false)).Status;
                var prompt = $"[{options.Host}:{options.Port}] forge> ";
                return interactive
                    ? await InteractiveAsync(connection, prompt, historyPath).ConfigureAwait(false)
                    : await ScriptAsync(connection).ConfigureAwait(false);
            }
            catch (ShellConnectException e)
            {
                await error.WriteLineAsync($"error: {e.Message}").ConfigureAwait(false);
                return ShellClient.ExitFailed;
            }
        }
    }

    private async Task<int> InteractiveAsync(ShellConnection connection, string prompt, string? historyPath)
    {
        var history = new ShellHistory(historyPath);
        var editor = new LineEditor(new Completer(connection.Palettes), history);
        await output.WriteLineAsync($"Connected to {connection.Host}. Type 'help' for the palettes, Tab to complete, 'exit' to leave.").ConfigureAwait(false);
        while (editor.ReadLine(prompt) is { } line)
        {
            history.Add(line);
            var (_, exit) = await ExecuteLineAsync(connection, line).ConfigureAwait(false);
            if (exit) break;
        }
        return ShellClient.ExitOk;
    }

    /// <summary>stdin is a file or a pipe: one command per line (blank lines and # comments skipped); the exit code
    /// is that of the last command that failed, 0 when none did.</summary>
    private async Task<int> ScriptAsync(ShellConnection connection)
    {
        var status = ShellClient.ExitOk;
        while (await input.ReadLineAsync().ConfigureAwait(false) is { } line)
        {
            if (line.TrimStart().StartsWith('#')) continue;
            var (s, exit) = await ExecuteLineAsync(connection, line).ConfigureAwait(false);
            if (s != ShellClient.ExitOk) status = s;
            if (exit) break;
        }
        return status;
    }

    private async Task<(int Status, bool Exit)> ExecuteLineAsync(ShellConnection connection, string line)
    {
        IReadOnlyList<string> words;
        try
        {
            words = WordSplitter.Split(line);
        }
        catch (FormatException e)
        {
            await error.WriteLineAsync($"error: {e.Message}").ConfigureAwait(false);
            return (ShellClient.ExitUsage, false);
        }
        if (words.Count == 0) return (ShellClient.ExitOk, false);
        return await ExecuteAsync(connection, words).ConfigureAwait(false);
    }

    private async Task<(int Status, bool Exit)> ExecuteAsync(ShellConnection connection, IReadOnlyList<string> words)
    {
        switch (words[0])
        {
            case "exit" or "quit":
                return (ShellClient.ExitOk, true);
            case "help":
                var topic = words.Skip(1).ToList();
                foreach (var l in HelpText.For(connection.Palettes, topic)) await output.WriteLineAsync(l).ConfigureAwait(false);
                return (HelpText.IsUnknownTopic(connection.Palettes, topic) ? ShellClient.ExitUsage : ShellClient.ExitOk, false);
        }

        using var running = new CancellationTokenSource();
        Volatile.Write(ref _running, running);
        Done done;
        try
        {
            done = await connection.RunAsync(words, l => output.WriteLine(l), running.Token).ConfigureAwait(false);
        }
        finally
        {
            Volatile.Write(ref _running, null);
        }
        await output.FlushAsync().ConfigureAwait(false);
        if (done.Error is { } message) await error.WriteLineAsync($"error: {message}").ConfigureAwait(false);
        return (done.Status switch
        {
            Done.Ok => ShellClient.ExitOk,
            Done.BadUsage => ShellClient.ExitUsage,
            _ => ShellClient.ExitFailed,
        }, false);
    }
}
