using System.Text.Encodings.Web;
using System.Text.Json;

namespace Forge.NodeAgent.Logging;

/// <summary>
/// One JSON object per line on stdout: ts, level, msg, then the agent's context and the caller's fields. Never given
/// key material: callers pass paths, fingerprints and reasons only.
/// </summary>
internal sealed class JsonLog(TextWriter output, IReadOnlyList<(string Key, string Value)> context)
{
    private static readonly JsonWriterOptions Options = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
    private readonly object _gate = new();

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
            foreach (var (k, v) in context) w.WriteString(k, v);
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
        var line = System.Text.Encoding.UTF8.GetString(buffer.ToArray());
        lock (_gate)
        {
            output.WriteLine(line);
            output.Flush();
        }
    }
}
