using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;

namespace Forge.Fence;

/// <summary>The fence's own log: JSON lines on stderr (stdout relays the node's log). Never given credential contents.</summary>
internal static class FenceLog
{
    private static readonly object Gate = new();
    private static readonly Stream Stderr = Console.OpenStandardError();

    public static void Info(string msg, params (string Key, object? Value)[] fields) => Write("Info", msg, fields);

    public static void Warn(string msg, params (string Key, object? Value)[] fields) => Write("Warning", msg, fields);

    public static void Error(string msg, params (string Key, object? Value)[] fields) => Write("Error", msg, fields);

    private static void Write(string severity, string msg, (string Key, object? Value)[] fields)
    {
        var line = new JsonObject
        {
            ["at"] = DateTime.UtcNow.ToString("O", CultureInfo.InvariantCulture),
            ["component"] = "forge-fence",
            ["sev"] = severity,
            ["msg"] = msg,
        };
        foreach (var (key, value) in fields)
            line[key] = value is null ? null : JsonValue.Create(Convert.ToString(value, CultureInfo.InvariantCulture));
        var bytes = Encoding.UTF8.GetBytes(line.ToJsonString() + "\n");
        lock (Gate)
        {
            Stderr.Write(bytes);
            Stderr.Flush();
        }
    }
}
