using System.Text.Json.Nodes;

namespace Forge.KubeApiEmulator.Patching;

/// <summary>RFC 6902 JSON patch (add, remove, replace, move, copy, test) over JSON pointers.</summary>
internal static class JsonPatch
{
    public static JsonObject Apply(JsonObject target, JsonArray operations)
    {
        JsonNode doc = target.DeepClone();
        foreach (var op in operations.OfType<JsonObject>())
        {
            var kind = op["op"]?.GetValue<string>() ?? throw Invalid("missing op");
            var path = op["path"]?.GetValue<string>() ?? throw Invalid($"missing path in {kind} operation");
            switch (kind)
            {
                case "add":
                    doc = Add(doc, path, op["value"]?.DeepClone());
                    break;
                case "remove":
                    Remove(doc, path);
                    break;
                case "replace":
                    doc = Replace(doc, path, op["value"]?.DeepClone());
                    break;
                case "move":
                    var moved = Get(doc, From(op)).DeepClone();
                    Remove(doc, From(op));
                    doc = Add(doc, path, moved);
                    break;
                case "copy":
                    doc = Add(doc, path, Get(doc, From(op)).DeepClone());
                    break;
                case "test":
                    if (!JsonNode.DeepEquals(Get(doc, path), op["value"]))
                    {
                        throw Invalid($"testing value {path} failed");
                    }

                    break;
                default:
                    throw Invalid($"Unexpected kind: {kind}");
            }
        }

        return doc as JsonObject ?? throw Invalid("the patched document is not an object");
    }

    private static string From(JsonObject op) => op["from"]?.GetValue<string>() ?? throw Invalid("missing from");

    private static string[] Tokens(string pointer) =>
        pointer.Length == 0 ? [] : pointer[1..].Split('/').Select(t => t.Replace("~1", "/").Replace("~0", "~")).ToArray();

    private static JsonNode Get(JsonNode doc, string pointer)
    {
        var node = doc;
        foreach (var token in Tokens(pointer))
        {
            node = node switch
            {
                JsonObject o when o.TryGetPropertyValue(token, out var child) && child is not null => child,
                JsonArray a when int.TryParse(token, out var i) && i >= 0 && i < a.Count && a[i] is { } item => item,
                _ => throw Invalid($"doc is missing path: \"{pointer}\": missing value"),
            };
        }

        return node;
    }

    private static (JsonNode Parent, string Last) Parent(JsonNode doc, string pointer)
    {
        var tokens = Tokens(pointer);
        var parentPointer = "/" + string.Join('/', tokens[..^1].Select(t => t.Replace("~", "~0").Replace("/", "~1")));
        return (tokens.Length == 1 ? doc : Get(doc, parentPointer), tokens[^1]);
    }

    private static JsonNode Add(JsonNode doc, string pointer, JsonNode? value)
    {
        if (pointer.Length == 0)
        {
            return value ?? throw Invalid("cannot replace the document with null");
        }

        var (parent, last) = Parent(doc, pointer);
        switch (parent)
        {
            case JsonObject o:
                o[last] = value;
                break;
            case JsonArray a when last == "-":
                a.Add(value);
                break;
            case JsonArray a when int.TryParse(last, out var i) && i >= 0 && i <= a.Count:
                a.Insert(i, value);
                break;
            default:
                throw Invalid($"add operation does not apply: doc is missing path: \"{pointer}\": missing value");
        }

        return doc;
    }

    // In place, so a replaced property keeps its position in the object.
    private static JsonNode Replace(JsonNode doc, string pointer, JsonNode? value)
    {
        Get(doc, pointer);
        if (pointer.Length == 0)
        {
            return value ?? throw Invalid("cannot replace the document with null");
        }

        var (parent, last) = Parent(doc, pointer);
        switch (parent)
        {
            case JsonObject o:
                o[last] = value;
                break;
            case JsonArray a:
                a[int.Parse(last)] = value;
                break;
        }

        return doc;
    }

    private static void Remove(JsonNode doc, string pointer)
    {
        var (parent, last) = Parent(doc, pointer);
        switch (parent)
        {
            case JsonObject o when o.ContainsKey(last):
                o.Remove(last);
                break;
            case JsonArray a when int.TryParse(last, out var i) && i >= 0 && i < a.Count:
                a.RemoveAt(i);
                break;
            default:
                throw Invalid($"remove operation does not apply: doc is missing path: \"{pointer}\": missing value");
        }
    }

    private static ApiException Invalid(string message) => new(422, "Invalid", message);
}
