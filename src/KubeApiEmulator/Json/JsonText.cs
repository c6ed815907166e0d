using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Forge.KubeApiEmulator.Json;

/// <summary>Serialization settings shared by every response, and small JsonNode helpers.</summary>
internal static class JsonText
{
    // Relaxed escaping keeps '+' in "+00:00" offsets and quotes in messages readable, as Go's encoder does.
    public static readonly JsonSerializerOptions Options = new()
    {
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        WriteIndented = false,
    };

    public static string Serialize(JsonNode? node) => node?.ToJsonString(Options) ?? "null";

    public static JsonObject ParseObject(string text)
    {
        JsonNode? node;
        try
        {
            node = JsonNode.Parse(text);
        }
        catch (JsonException e)
        {
            throw ApiException.BadRequest($"couldn't get version/kind; json parse error: {e.Message}");
        }

        return node as JsonObject ?? throw ApiException.BadRequest("the body of the request must be a JSON object");
    }

    public static JsonObject Clone(JsonObject o) => (JsonObject)o.DeepClone();

    /// <summary>Walks a dotted path of object properties ("spec.priority"); null when any step is missing.</summary>
    public static JsonNode? At(JsonNode? node, string dottedPath)
    {
        foreach (var part in dottedPath.Split('.', StringSplitOptions.RemoveEmptyEntries))
        {
            if (node is not JsonObject o || !o.TryGetPropertyValue(part, out node))
            {
                return null;
            }
        }

        return node;
    }

    public static string? Str(JsonNode? node, string dottedPath) =>
        At(node, dottedPath) is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;

    public static JsonObject Obj(JsonObject parent, string name)
    {
        if (parent[name] is JsonObject o)
        {
            return o;
        }

        var created = new JsonObject();
        parent[name] = created;
        return created;
    }

    /// <summary>A value as a field selector or label compares it: strings bare, others as JSON text.</summary>
    public static string AsSelectorText(JsonNode? node) => node switch
    {
        null => "",
        JsonValue v when v.TryGetValue<string>(out var s) => s,
        _ => node.ToJsonString(),
    };

    /// <summary>An integral number whatever backs the node (parsed JSON, YAML long, int); null otherwise.</summary>
    public static long? Long(JsonNode? node) => node switch
    {
        JsonValue v when v.TryGetValue<long>(out var l) => l,
        JsonValue v when v.TryGetValue<int>(out var i) => i,
        JsonValue v when v.TryGetValue<double>(out var d) && Math.Floor(d) == d => (long)d,
        _ => null,
    };

    public static string Timestamp(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'");
}
