using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Forge.KubeApiEmulator.Json;
using Forge.KubeApiEmulator.Schema;

namespace Forge.KubeApiEmulator.Storage;

/// <summary>Rules for <c>metadata</c> that the apiserver enforces itself: names, and the fields clients cannot set.</summary>
internal static partial class ObjectMetadata
{
    /// <summary>Set by the server only; an update keeps the stored values.</summary>
    public static readonly string[] ServerOwned = ["uid", "creationTimestamp", "generation", "deletionTimestamp", "resourceVersion", "namespace", "name"];

    public static JsonObject Of(JsonObject obj) => JsonText.Obj(obj, "metadata");

    public static string? Name(JsonObject obj) => JsonText.Str(obj, "metadata.name");

    public static string? ResourceVersion(JsonObject obj) => JsonText.Str(obj, "metadata.resourceVersion");

    public static FieldError? ValidateName(string name) =>
        name.Length <= 253 && Dns1123Subdomain().IsMatch(name)
            ? null
            : FieldError.Invalid("metadata.name", GoValueText.Quote(name),
                "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')");

    /// <summary>Equal apart from resourceVersion and managedFields: such a write is a no-op and must not bump the RV.</summary>
    public static bool SameContent(JsonObject a, JsonObject b)
    {
        var x = Comparable(a);
        var y = Comparable(b);
        return JsonNode.DeepEquals(x, y);
    }

    /// <summary>True when anything but metadata (and status, when it is a subresource) differs: generation then grows.</summary>
    public static bool SpecChanged(JsonObject before, JsonObject after, bool statusIsSubresource)
    {
        var ignored = statusIsSubresource ? new[] { "metadata", "status" } : ["metadata"];
        var x = new JsonObject(before.Where(kv => !ignored.Contains(kv.Key)).Select(kv => KeyValuePair.Create(kv.Key, kv.Value?.DeepClone())));
        var y = new JsonObject(after.Where(kv => !ignored.Contains(kv.Key)).Select(kv => KeyValuePair.Create(kv.Key, kv.Value?.DeepClone())));
        return !JsonNode.DeepEquals(x, y);
    }

    private static JsonObject Comparable(JsonObject o)
    {
        var c = JsonText.Clone(o);
        if (c["metadata"] is JsonObject m)
        {
            m.Remove("resourceVersion");
            m.Remove("managedFields");
        }

        return c;
    }

    [GeneratedRegex(@"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")]
    private static partial Regex Dns1123Subdomain();
}
