namespace Forge.Shell.Commands;

/// <summary>What a command handler gets: its parsed words, a sink for output lines, the run's cancellation (the
/// client's Ctrl-C or its disconnect) and the host's deadlines.</summary>
public sealed class CommandContext(
    ParsedCommand command,
    Func<string, CancellationToken, Task> writeLine,
    ShellTimeouts timeouts,
    CancellationToken cancellation)
{
    public ParsedCommand Command { get; } = command;
    public ShellTimeouts Timeouts { get; } = timeouts;
    public CancellationToken Cancellation { get; } = cancellation;

    public Task WriteLineAsync(string line) => writeLine(line, Cancellation);

    public async Task WriteLinesAsync(IEnumerable<string> lines)
    {
        foreach (var line in lines) await WriteLineAsync(line).ConfigureAwait(false);
    }

    /// <summary>A token that fires after <paramref name="timeout"/> or when the run is cancelled; dispose it.</summary>
    public CancellationTokenSource Deadline(TimeSpan timeout)
    {
        var cts = CancellationTokenSource.CreateLinkedTokenSource(Cancellation);
        cts.CancelAfter(timeout);
        return cts;
    }
}

/// <param name="Query">Deadline of read-only commands.</param>
/// <param name="Change">How long a state change may take to show its effect.</param>
public sealed record ShellTimeouts(TimeSpan Query, TimeSpan Change);
