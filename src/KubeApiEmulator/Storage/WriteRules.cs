using System.Text.Json.Nodes;
using Forge.KubeApiEmulator.Json;
using Forge.KubeApiEmulator.Resources;
using Forge.KubeApiEmulator.Schema;

namespace Forge.KubeApiEmulator.Storage;

/// <summary>
/// What the apiserver stores for a write, whatever the storage: the status subresource split, server-owned
/// metadata, schema pruning/defaulting/validation (422 with causes), and field order.
/// </summary>
internal static class WriteRules
{
    /// <summary>The object an update would store: the status subresource split and the server-owned metadata.</summary>
    public static JsonObject Compose(ResourceKind kind, JsonObject existing, JsonObject incoming, bool statusOnly)
    {
        if (statusOnly)
        {
            var result = JsonText.Clone(existing);
            if (incoming["status"] is { } status)
            {
                result["status"] = status.DeepClone();
            }
            else
            {
                result.Remove("status");
            }

            return result;
        }

        var candidate = JsonText.Clone(incoming);
        var meta = ObjectMetadata.Of(candidate);
        foreach (var field in ObjectMetadata.ServerOwned)
        {
            if (existing["metadata"]?[field] is { } value)
            {
                meta[field] = value.DeepClone();
            }
            else
            {
                meta.Remove(field);
            }
        }

        candidate["apiVersion"] = existing["apiVersion"]?.DeepClone();
        candidate["kind"] = existing["kind"]?.DeepClone();
        if (kind.HasStatus)
        {
            if (existing["status"] is { } status)
            {
                candidate["status"] = status.DeepClone();
            }
            else
            {
                candidate.Remove("status");
            }
        }

        return candidate;
    }

    /// <summary>CR schema handling: prune unknown fields (400 under fieldValidation=Strict), default, validate (422).</summary>
    public static void Normalize(ResourceKind kind, JsonObject obj, WriteOptions options)
    {
        if (kind.Schema is null)
        {
            return;
        }

        var unknown = StructuralSchema.Normalize(obj, kind.Schema);
        if (options.Strict && unknown.Count > 0)
        {
            throw ApiException.BadRequest("strict decoding error: " + string.Join(", ", unknown.Select(u => $"unknown field \"{u}\"")));
        }

        var errors = SchemaValidator.Validate(obj, kind.Schema);
        if (errors.Count > 0)
        {
            throw Invalid(kind, ObjectMetadata.Name(obj) ?? "", errors);
        }
    }

    /// <summary>apiVersion, kind, metadata first, as the apiserver serializes objects.</summary>
    public static JsonObject Ordered(JsonObject obj)
    {
        var ordered = new JsonObject();
        foreach (var key in new[] { "apiVersion", "kind", "metadata" }.Concat(obj.Select(kv => kv.Key)).Distinct().ToList())
        {
            if (obj.Remove(key, out var value))
            {
                ordered[key] = value;
            }
        }

        return ordered;
    }

    public static ApiException Invalid(ResourceKind kind, string name, IReadOnlyList<FieldError> errors)
    {
        var summary = errors.Count == 1 ? errors[0].ToString() : $"[{string.Join(", ", errors)}]";
        var causes = new JsonArray(errors.Select(e => (JsonNode?)new JsonObject
        {
            ["reason"] = e.Reason,
            ["message"] = e.Body,
            ["field"] = e.Field,
        }).ToArray());
        var details = new JsonObject { ["name"] = name };
        if (kind.Group.Length > 0)
        {
            details["group"] = kind.Group;
        }

        details["kind"] = kind.Kind;
        details["causes"] = causes;
        return new ApiException(422, "Invalid", $"{kind.GroupKind} \"{name}\" is invalid: {summary}", details);
    }
}
