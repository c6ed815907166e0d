using Akka.Event;
using System.Collections.Concurrent;
using System.Net.Sockets;
using Forge.Shell.Commands;
using Forge.Shell.Protocol;

namespace Forge.Shell.Host;

/// <summary>One client connection: handshake (token), then runs until the client leaves. Runs execute
/// concurrently (a client may cancel a streaming run while it goes on); each ends with exactly one Done.</summary>
internal sealed class ShellSession(ShellHost host, TcpClient client)
{
    private readonly ConcurrentDictionary<int, CancellationTokenSource> _runs = new();
    private readonly string _peer = client.Client.RemoteEndPoint?.ToString() ?? "unknown";

    public async Task RunAsync(bool refuseAsFull, CancellationToken stopping)
    {
        using var _ = client;
        await using var channel = new FrameChannel(client.GetStream());
        var running = new List<Task>();
        try
        {
            if (refuseAsFull)
            {
                await channel.WriteAsync(new Refused($"too many shell connections (forge.shell.max-connections = {host.Settings.MaxConnections})"), stopping).ConfigureAwait(false);
                return;
            }
            if (!await HandshakeAsync(channel, stopping).ConfigureAwait(false)) return;
            while (await channel.ReadAsync(stopping).ConfigureAwait(false) is { } frame)
            {
                switch (frame)
                {
                    case Run run:
                        running.RemoveAll(t => t.IsCompleted);
                        running.Add(ExecuteAsync(channel, run, stopping));
                        break;
                    case Cancel cancel when _runs.TryGetValue(cancel.Id, out var cts):
                        await cts.CancelAsync().ConfigureAwait(false);
                        break;
                }
            }
        }
        catch (Exception e) when (e is IOException or InvalidDataException or SocketException or OperationCanceledException or ObjectDisposedException)
        {
            if (e is InvalidDataException) host.Log.Warning("Shell {0}: {1}; closing", _peer, e.Message);
        }
        finally
        {
            foreach (var cts in _runs.Values) await cts.CancelAsync().ConfigureAwait(false);
            await Task.WhenAll(running).ConfigureAwait(false);
        }
    }

    private async Task<bool> HandshakeAsync(FrameChannel channel, CancellationToken stopping)
    {
        ShellFrame? first;
        string? garbled = null;
        using (var handshake = CancellationTokenSource.CreateLinkedTokenSource(stopping))
        {
            handshake.CancelAfter(host.Settings.HandshakeTimeout);
            try
            {
                first = await channel.ReadAsync(handshake.Token).ConfigureAwait(false);
            }
            catch (InvalidDataException e)
            {
                (first, garbled) = (null, e.Message);
            }
        }
        string? refusal = first switch
        {
            null when garbled is not null => $"expected a hello frame of the forge shell protocol ({garbled})",
            Hello { Protocol: not ShellFrame.ProtocolVersion } h =>
                $"protocol {h.Protocol} is not supported (this host speaks {ShellFrame.ProtocolVersion})",
            Hello h when !host.Gate.Admits(h.Token) =>
                h.Token is null ? "this host requires the shared token (--token-file)" : "wrong token",
            Hello => null,
            _ => "expected hello",
        };
        if (refusal is not null)
        {
            host.Log.Warning("Shell {0} refused: {1}", _peer, refusal);
            await channel.WriteAsync(new Refused(refusal), stopping).ConfigureAwait(false);
            return false;
        }
        await channel.WriteAsync(new Welcome(ShellFrame.ProtocolVersion, host.HostName, [.. host.Palettes.Select(p => p.Spec)]), stopping)
            .ConfigureAwait(false);
        return true;
    }

    private async Task ExecuteAsync(FrameChannel channel, Run run, CancellationToken stopping)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(stopping);
        if (!_runs.TryAdd(run.Id, cts))
        {
            await SendAsync(channel, new Done(run.Id, Done.BadUsage, $"run id {run.Id} is already in use")).ConfigureAwait(false);
            return;
        }
        try
        {
            var done = await RunCommandAsync(channel, run, cts.Token).ConfigureAwait(false);
            await SendAsync(channel, done).ConfigureAwait(false);
        }
        finally
        {
            _runs.TryRemove(run.Id, out _);
        }
    }

    private async Task<Done> RunCommandAsync(FrameChannel channel, Run run, CancellationToken ct)
    {
        var (definition, error) = Resolve(run.Words);
        if (definition is null) return new Done(run.Id, Done.BadUsage, error);
        var spec = definition.Spec;
        var rest = run.Words.Skip(2).ToList();
        if (rest.Contains("--help") || rest.Contains("-h"))
        {
            await channel.WriteAsync(new Output(run.Id, $"usage: {spec.Usage}"), ct).ConfigureAwait(false);
            return new Done(run.Id, Done.Ok);
        }
        ParsedCommand parsed;
        try
        {
            parsed = CommandParser.Parse(spec, rest);
        }
        catch (CommandUsageException e)
        {
            return new Done(run.Id, Done.BadUsage, $"{e.Message}\nusage: {spec.Usage}");
        }

        // An audit trail of what operators did: the words, never the token.
        host.Log.Info("Shell {0} runs: {1}", _peer, string.Join(' ', run.Words));
        var context = new CommandContext(parsed, (line, token) => channel.WriteAsync(new Output(run.Id, line), token), host.Settings.Timeouts, ct);
        try
        {
            await definition.Handler(context).ConfigureAwait(false);
            return new Done(run.Id, Done.Ok);
        }
        catch (CommandFailedException e)
        {
            return new Done(run.Id, Done.Failed, e.Message);
        }
        catch (CommandUsageException e)
        {
            return new Done(run.Id, Done.BadUsage, $"{e.Message}\nusage: {spec.Usage}");
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // The client cancelled (Ctrl-C): a streaming command ends normally, another one says so.
            return spec.Streaming ? new Done(run.Id, Done.Ok) : new Done(run.Id, Done.Failed, "cancelled");
        }
        catch (OperationCanceledException)
        {
            return new Done(run.Id, Done.Failed, $"'{spec.Palette} {spec.Name}' timed out");
        }
        catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException)
        {
            return new Done(run.Id, Done.Failed, "connection lost");
        }
        catch (Exception e)
        {
            host.Log.Error(e, "Shell {0}: '{1}' failed", _peer, string.Join(' ', run.Words));
            return new Done(run.Id, Done.Failed, $"internal error in '{spec.Palette} {spec.Name}': {e.Message} (details in the coordinator's log)");
        }
    }

    private (CommandDefinition? Definition, string Error) Resolve(IReadOnlyList<string> words)
    {
        var palettes = string.Join(", ", host.Palettes.Select(p => p.Name));
        if (words.Count == 0) return (null, $"empty command; palettes: {palettes}");
        var palette = host.Palettes.FirstOrDefault(p => p.Name == words[0]);
        if (palette is null) return (null, $"unknown palette '{words[0]}'; palettes: {palettes}");
        var commands = string.Join(", ", palette.Commands.Select(c => c.Spec.Name));
        if (words.Count == 1) return (null, $"'{palette.Name}' needs a command: {commands}");
        var command = palette.Command(words[1]);
        return command is null
            ? (null, $"unknown command '{palette.Name} {words[1]}'; {palette.Name} commands: {commands}")
            : (command, "");
    }

    private static async Task SendAsync(FrameChannel channel, ShellFrame frame)
    {
        try
        {
            await channel.WriteAsync(frame, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException)
        {
            // the client is gone; nothing to tell
        }
    }
}
