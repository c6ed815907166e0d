using System.Text;
using System.Text.Json;

namespace Forge.Shell.Protocol;

/// <summary>
/// Reads and writes <see cref="ShellFrame"/>s as JSON lines on a stream. Reads are bounded (a peer that sends an
/// endless line is cut off, not buffered); writes are serialized so concurrent runs can share one connection.
/// </summary>
public sealed class FrameChannel : IAsyncDisposable
{
    public const int MaxFrameBytes = 1 << 20;

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
    private readonly Stream _stream;
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private readonly byte[] _buffer = new byte[8192];
    private readonly MemoryStream _pending = new();
    private int _start;
    private int _end;

    public FrameChannel(Stream stream) => _stream = stream;

    /// <summary>The next frame, or null at end of stream.</summary>
    /// <exception cref="InvalidDataException">The peer sent an oversized line or something that is not a frame.</exception>
    public async Task<ShellFrame?> ReadAsync(CancellationToken ct)
    {
        var line = await ReadLineAsync(ct).ConfigureAwait(false);
        if (line is null) return null;
        try
        {
            return JsonSerializer.Deserialize<ShellFrame>(line, Json) ?? throw new InvalidDataException("empty frame");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"not a shell frame: {e.Message}", e);
        }
        catch (NotSupportedException e)
        {
            throw new InvalidDataException($"not a shell frame: {e.Message}", e);
        }
    }

    public async Task WriteAsync(ShellFrame frame, CancellationToken ct)
    {
        var json = JsonSerializer.SerializeToUtf8Bytes(frame, Json);
        var line = new byte[json.Length + 1];
        json.CopyTo(line, 0);
        line[^1] = (byte)'\n';
        await _writeLock.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            // One write per frame, never cancelled halfway: a torn frame would corrupt the stream for every later one.
            await _stream.WriteAsync(line, CancellationToken.None).ConfigureAwait(false);
            await _stream.FlushAsync(CancellationToken.None).ConfigureAwait(false);
        }
        finally
        {
            _writeLock.Release();
        }
    }

    private async Task<string?> ReadLineAsync(CancellationToken ct)
    {
        while (true)
        {
            var newline = Array.IndexOf(_buffer, (byte)'\n', _start, _end - _start);
            if (newline >= 0)
            {
                _pending.Write(_buffer, _start, newline - _start);
                _start = newline + 1;
                var line = Encoding.UTF8.GetString(_pending.GetBuffer(), 0, (int)_pending.Length);
                _pending.SetLength(0);
                return line;
            }
            _pending.Write(_buffer, _start, _end - _start);
            if (_pending.Length > MaxFrameBytes) throw new InvalidDataException($"frame longer than {MaxFrameBytes} bytes");
            _start = 0;
            _end = await _stream.ReadAsync(_buffer, ct).ConfigureAwait(false);
            if (_end == 0) return null;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stream.DisposeAsync().ConfigureAwait(false);
        _writeLock.Dispose();
        await _pending.DisposeAsync().ConfigureAwait(false);
    }
}
