using System.Text.Json.Nodes;

namespace Forge.KubeApiEmulator.Printing;

/// <summary>
/// The subset of JSONPath that CRD printer columns use: <c>.a.b</c>, <c>.a[0].b</c>, <c>.a['x.y']</c>.
/// A missing step yields null (printed blank by kubectl).
/// </summary>
internal static class SimpleJsonPath
{
    public static JsonNode? Evaluate(JsonNode? root, string path)
    {
        var node = root;
        var i = 0;
        path = path.Trim();
        if (path.StartsWith('{') && path.EndsWith('}'))
        {
            path = path[1..^1];
        }

        while (i < path.Length && node is not null)
        {
            if (path[i] == '.')
            {
                var end = i + 1;
                while (end < path.Length && path[end] != '.' && path[end] != '[')
                {
                    end++;
                }

                node = Property(node, path[(i + 1)..end]);
                i = end;
            }
            else if (path[i] == '[')
            {
                var end = path.IndexOf(']', i);
                if (end < 0)
                {
                    return null;
                }

                var inner = path[(i + 1)..end].Trim('\'', '"');
                node = int.TryParse(inner, out var index)
                    ? node is JsonArray a && index >= 0 && index < a.Count ? a[index] : null
                    : Property(node, inner);
                i = end + 1;
            }
            else
            {
                return null;
            }
        }

        return node;
    }

    private static JsonNode? Property(JsonNode node, string name) =>
        name.Length == 0 ? node : node is JsonObject o && o.TryGetPropertyValue(name, out var v) ? v : null;
}
