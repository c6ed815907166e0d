using System.Text.Json.Nodes;

namespace Forge.KubeApiEmulator.Schema;

/// <summary>
/// What the apiserver does to a custom resource before validating it: drops fields the schema does not
/// declare (pruning), drops nulls of non-nullable fields, and fills in <c>default</c>s.
/// </summary>
internal static class StructuralSchema
{
    /// <summary>Prunes and defaults <paramref name="obj"/> in place; returns the paths of the unknown fields it dropped.</summary>
    public static IReadOnlyList<string> Normalize(JsonObject obj, JsonObject schema)
    {
        var unknown = new List<string>();
        foreach (var (name, value) in obj.ToList())
        {
            if (name is "apiVersion" or "kind" or "metadata")
            {
                continue;
            }

            WalkProperty(obj, name, value, schema, "", unknown);
        }

        ApplyDefaults(obj, schema, skipMetadata: true);
        return unknown;
    }

    private static void Walk(JsonNode? node, JsonObject schema, string path, List<string> unknown)
    {
        if (PreservesUnknown(schema))
        {
            return;
        }

        switch (node)
        {
            case JsonObject o:
                foreach (var (name, value) in o.ToList())
                {
                    WalkProperty(o, name, value, schema, path, unknown);
                }

                break;
            case JsonArray a when schema["items"] is JsonObject items:
                for (var i = 0; i < a.Count; i++)
                {
                    Walk(a[i], items, $"{path}[{i}]", unknown);
                }

                break;
        }
    }

    private static void WalkProperty(JsonObject parent, string name, JsonNode? value, JsonObject schema, string path, List<string> unknown)
    {
        var childPath = path.Length == 0 ? name : $"{path}.{name}";
        var childSchema = schema["properties"]?[name] as JsonObject ?? schema["additionalProperties"] as JsonObject;
        if (childSchema is null)
        {
            if (schema["additionalProperties"] is JsonValue allowed && allowed.GetValue<bool>())
            {
                return;
            }

            parent.Remove(name);
            unknown.Add(childPath);
            return;
        }

        if (value is null && childSchema["nullable"]?.GetValue<bool>() != true)
        {
            parent.Remove(name);
            return;
        }

        Walk(value, childSchema, childPath, unknown);
    }

    private static void ApplyDefaults(JsonNode? node, JsonObject schema, bool skipMetadata = false)
    {
        switch (node)
        {
            case JsonObject o when schema["properties"] is JsonObject properties:
                foreach (var (name, propertySchema) in properties)
                {
                    if ((skipMetadata && name == "metadata") || propertySchema is not JsonObject ps)
                    {
                        continue;
                    }

                    if (!o.ContainsKey(name) && ps["default"] is { } d)
                    {
                        o[name] = d.DeepClone();
                    }

                    if (o[name] is { } child)
                    {
                        ApplyDefaults(child, ps);
                    }
                }

                break;
            case JsonObject o when schema["additionalProperties"] is JsonObject valueSchema:
                foreach (var (_, value) in o)
                {
                    ApplyDefaults(value, valueSchema);
                }

                break;
            case JsonArray a when schema["items"] is JsonObject items:
                foreach (var item in a)
                {
                    ApplyDefaults(item, items);
                }

                break;
        }
    }

    private static bool PreservesUnknown(JsonObject schema) =>
        schema["x-kubernetes-preserve-unknown-fields"] is JsonValue v && v.GetValue<bool>();
}
