using System.Diagnostics;
using System.Threading.Channels;

namespace Forge.Kubernetes.Tests.Support;

/// <summary>A long-running command (kubectl get --watch, the emulator executable) whose stdout lines are read with deadlines.</summary>
internal sealed class BackgroundProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly Channel<string> _lines = Channel.CreateUnbounded<string>();

    private BackgroundProcess(Process process)
    {
        _process = process;
        _process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null)
            {
                _lines.Writer.TryComplete();
            }
            else
            {
                _lines.Writer.TryWrite(e.Data);
            }
        };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    public static BackgroundProcess Start(string file, IEnumerable<string> args, IReadOnlyDictionary<string, string> env)
    {
        var psi = new ProcessStartInfo(file)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = RepoPaths.Root,
        };
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }

        foreach (var (k, v) in env)
        {
            psi.Environment[k] = v;
        }

        return new BackgroundProcess(Process.Start(psi)!);
    }

    /// <summary>The next stdout line that satisfies <paramref name="match"/>, skipping others, within the deadline.</summary>
    public async Task<string> LineAsync(Func<string, bool> match, TimeSpan? within = null)
    {
        using var cts = new CancellationTokenSource(within ?? TimeSpan.FromSeconds(15));
        while (true)
        {
            var line = await _lines.Reader.ReadAsync(cts.Token);
            if (match(line))
            {
                return line;
            }
        }
    }

    public int Id => _process.Id;

    /// <summary>True when the process exits within the deadline.</summary>
    public async Task<bool> ExitsWithinAsync(TimeSpan within)
    {
        using var cts = new CancellationTokenSource(within);
        try
        {
            await _process.WaitForExitAsync(cts.Token);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }

        await _process.WaitForExitAsync();
        _process.Dispose();
    }
}
