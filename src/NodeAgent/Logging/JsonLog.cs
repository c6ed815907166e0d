using System.Text.Encodings.Web;
using System.Text.Json;
using System.Threading.Channels;

namespace Forge.NodeAgent.Logging;

/// <summary>
/// One JSON object per line on stdout: ts, level, msg, then the agent's context and the caller's fields. Never given
/// key material: callers pass paths, fingerprints and reasons only. Lines are written by a background task through a
/// bounded queue (dropping when full): in exec mode stdout is a pipe the fence drains, and a stalled fence must never
/// block the loop that watches it.
/// </summary>
internal sealed class JsonLog
{
    private static readonly JsonWriterOptions Options = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
    private readonly IReadOnlyList<(string Key, string Value)> _context;
    private readonly Channel<string> _lines = Channel.CreateBounded<string>(new BoundedChannelOptions(4096)
    {
        FullMode = BoundedChannelFullMode.DropWrite, SingleReader = true,
    });
    private readonly Task _writer;

    public JsonLog(TextWriter output, IReadOnlyList<(string Key, string Value)> context)
    {
        _context = context;
        _writer = Task.Run(async () =>
        {
            await foreach (var line in _lines.Reader.ReadAllAsync())
            {
                await output.WriteLineAsync(line);
                if (_lines.Reader.Count == 0) await output.FlushAsync();
            }
        });
    }

    /// <summary>Writes what is queued (bounded), for a clean exit.</summary>
    public void Flush(TimeSpan timeout)
    {
        _lines.Writer.TryComplete();
        _writer.Wait(timeout);
    }

    public static JsonLog Console(params (string, string)[] context) => new(System.Console.Out, context);

    public void Info(string message, params (string Key, object? Value)[] fields) => Write("info", message, fields);
    public void Warn(string message, params (string Key, object? Value)[] fields) => Write("warn", message, fields);
    public void Error(string message, params (string Key, object? Value)[] fields) => Write("error", message, fields);

    public void Write(string level, string message, params (string Key, object? Value)[] fields)
    {
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer, Options))
        {
            w.WriteStartObject();
            w.WriteString("ts", DateTimeOffset.UtcNow.ToString("O", System.Globalization.CultureInfo.InvariantCulture));
            w.WriteString("level", level);
            w.WriteString("msg", message);
            foreach (var (k, v) in _context) w.WriteString(k, v);
            foreach (var (k, v) in fields)
            {
                switch (v)
                {
                    case null: w.WriteNull(k); break;
                    case bool b: w.WriteBoolean(k, b); break;
                    case int i: w.WriteNumber(k, i); break;
                    case long l: w.WriteNumber(k, l); break;
                    case double d: w.WriteNumber(k, d); break;
                    default: w.WriteString(k, v.ToString()); break;
                }
            }
            w.WriteEndObject();
        }
        _lines.Writer.TryWrite(System.Text.Encoding.UTF8.GetString(buffer.ToArray()));
    }
}
